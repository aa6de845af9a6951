// Hashing helpers shared by the content store, the walker and transfer: digests are always computed
// while bytes stream, never over a whole file held in memory.
import { createHash, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { digestAlgorithm, type Digest, type DigestAlgorithm } from './oci'

export function newHash(alg: DigestAlgorithm = 'sha256'): Hash {
  return createHash(alg)
}

export function digestOf(data: Uint8Array | string, alg: DigestAlgorithm = 'sha256'): Digest {
  return `${alg}:${createHash(alg).update(data).digest('hex')}`
}

export async function digestFile(path: string, alg: DigestAlgorithm = 'sha256'): Promise<Digest> {
  const h = createHash(alg)
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer)
  return `${alg}:${h.digest('hex')}`
}

/** oci.ts's digestAlgorithm under the name the hashing callers know it by. */
export const algorithmOf: (d: Digest) => DigestAlgorithm = digestAlgorithm
