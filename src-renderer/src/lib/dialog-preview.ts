// What a confirmation dialog shows before the user confirms (what a delete frees, what a collection
// removes) arrives after the dialog opens. If it fails, the dialog has nothing to confirm and closes —
// unless the user already closed it, and maybe opened another in its place, which must stay.
import { errorText } from './api'
import { app } from './state.svelte'

/** Call from onMount and return the result: it is the cleanup that marks the dialog closed. */
export function loadPreview<T>(
  preview: Promise<T>,
  show: (value: T) => void,
  onclose: () => void,
): () => void {
  let open = true
  preview.then(show).catch((e: unknown) => {
    app.toast('error', errorText(e))
    if (open) onclose()
  })
  return () => (open = false)
}
