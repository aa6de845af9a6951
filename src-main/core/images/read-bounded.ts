// Reading a document (manifest, index, config) by its descriptor without trusting the descriptor: one
// claiming 200 bytes for a multi-gigabyte blob already in the store would otherwise be read whole into
// memory. The size is checked against the document limit before anything is read, and the bytes against
// the size while they stream: reading stops one byte past it, and any difference is an error.
import { blobChunks, type Provider } from '../content/provider'
import { embeddedData } from '../content/reader'
import { invalidArgument } from '../errors'
import type { Descriptor } from '../oci'

export async function readBounded(
  p: Provider,
  desc: Descriptor,
  limit: number,
  what: string,
): Promise<Uint8Array> {
  const size = desc.size
  if (!Number.isSafeInteger(size) || size < 0) {
    throw invalidArgument(`${what} ${desc.digest}: invalid size ${String(size)} in its descriptor`)
  }
  if (size > limit) {
    throw invalidArgument(
      `${what} ${desc.digest} is ${size} bytes, over the ${limit}-byte limit for a document: not read`,
    )
  }
  // Embedded data is checked against size and digest by the provider already.
  if (!p.readStream || embeddedData(desc)) return sized(await p.readBlob(desc), desc, what)
  const parts: Uint8Array[] = []
  let n = 0
  const it = (await blobChunks(p, desc))[Symbol.asyncIterator]()
  try {
    for (let r = await it.next(); !r.done; r = await it.next()) {
      n += r.value.length
      if (n > size) throw mismatch(desc, what, `more than ${size}`)
      parts.push(r.value)
    }
  } finally {
    // Stopping early must release the file.
    await it.return?.()
  }
  return sized(Buffer.concat(parts), desc, what)
}

function sized(body: Uint8Array, desc: Descriptor, what: string): Uint8Array {
  if (body.length !== desc.size) throw mismatch(desc, what, String(body.length))
  return body
}

function mismatch(desc: Descriptor, what: string, actual: string) {
  return invalidArgument(
    `${what} ${desc.digest}: its descriptor says ${desc.size} bytes, but the stored blob has ${actual}`,
  )
}
