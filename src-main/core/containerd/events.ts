// containerd's event stream (Events.Subscribe): how Berth learns that ctr, the kubelet or nerdctl changed
// an image while Berth shows that daemon. Only the envelope is read — topic and namespace say what to
// re-read; the payload is not needed for that.
import type { CallOptions, ContainerdConnection } from './client'

export interface DaemonEvent {
  namespace: string
  topic: string
}

/** Events matching any filter (containerd's syntax over topic and namespace), until the stream ends. */
export async function* subscribe(
  c: ContainerdConnection,
  filters: string[],
  o?: CallOptions,
): AsyncGenerator<DaemonEvent> {
  for await (const e of c.serverStream<{ namespace?: string; topic?: string }>(
    'events',
    'Subscribe',
    null,
    { filters },
    'watching events',
    o,
  ))
    yield { namespace: e.namespace ?? '', topic: e.topic ?? '' }
}
