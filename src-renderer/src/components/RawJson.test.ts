import { render, screen } from '@testing-library/svelte'
import { beforeEach, describe, expect, it } from 'vitest'
import { app } from '../lib/state.svelte'
import { details, installFakeBerth } from '../test/fake-berth'
import RawJson from './RawJson.svelte'

beforeEach(() => app.reset())

const A = 'sha256:' + 'a'.repeat(64)
const B = 'sha256:' + 'b'.repeat(64)

describe('RawJson', () => {
  it('shows the blob picked last even when an earlier pick answers after it', async () => {
    installFakeBerth({
      'images.blob': ({ digest }) => {
        const blob = { digest, mediaType: null, size: 2, json: `{"blob": "${digest.slice(7, 8)}"}` }
        return digest === A ? new Promise((r) => setTimeout(() => r(blob), 200)) : blob
      },
    })
    const tree = details('demo:1').tree
    const { rerender } = render(RawJson, { props: { digest: A, tree, onpick: () => {} } })
    await rerender({ digest: B, tree, onpick: () => {} })
    expect(await screen.findByLabelText(`JSON of ${B}`)).toBeInTheDocument()
    await new Promise((r) => setTimeout(r, 300))
    expect(screen.queryByLabelText(`JSON of ${A}`)).toBeNull()
    expect(screen.getByLabelText(`JSON of ${B}`)).toHaveTextContent('"blob": "b"')
  })
})
