// The platform matrix: rows by OS (and OS version for Windows), columns by architecture/variant, one cell
// per platform manifest with presence, sizes and whether this host can run it, in the preference order
// of containerd's default matcher. Attestation manifests are listed apart, linked to what they describe.
import type { MatchComparer } from '../core/platforms/types'
import type { Platform } from '../core/oci'
import type {
  AttestationInfo,
  DescriptorNode,
  MatrixCell,
  MatrixColumn,
  MatrixRow,
  PlatformMatrix,
} from '../../src-preload/api'
import { ATTESTATION_REF } from './mediatypes'
import { nodes, presenceOf } from './tree'

const PREDICATE = 'in-toto.io/predicate-type'

export function platformManifests(tree: DescriptorNode): DescriptorNode[] {
  const out: DescriptorNode[] = []
  const visit = (n: DescriptorNode): void => {
    if (n.kind === 'index') n.children.forEach(visit)
    else if (n.kind === 'manifest') out.push(n)
  }
  visit(tree)
  return out
}

export function buildMatrix(
  tree: DescriptorNode,
  host: string,
  matcher: MatchComparer,
  uncompressed: Map<string, number>,
): PlatformMatrix {
  const manifests = platformManifests(tree).filter((m) => m.platformParts)
  const rowKey = (p: Platform) => (p.os === 'windows' && p.osVersion ? `${p.os}(${p.osVersion})` : p.os)
  const colKey = (p: Platform) => (p.variant ? `${p.architecture}/${p.variant}` : p.architecture)
  const rows: MatrixRow[] = []
  const columns: MatrixColumn[] = []
  for (const m of manifests) {
    const p = m.platformParts as Platform
    if (!rows.some((r) => r.label === rowKey(p))) {
      rows.push({
        os: p.os,
        ...(p.os === 'windows' && p.osVersion ? { osVersion: p.osVersion } : {}),
        label: rowKey(p),
      })
    }
    if (!columns.some((c) => c.label === colKey(p))) {
      columns.push({
        architecture: p.architecture,
        ...(p.variant ? { variant: p.variant } : {}),
        label: colKey(p),
      })
    }
  }
  rows.sort((a, b) => cmp(a.os, b.os) || cmp(a.osVersion ?? '', b.osVersion ?? ''))
  columns.sort((a, b) => cmp(a.architecture, b.architecture) || cmp(a.variant ?? '', b.variant ?? ''))

  const runnable = manifests.filter((m) => matcher.match(m.platformParts as Platform))
  const ranked = [...runnable].sort((a, b) =>
    matcher.less(a.platformParts as Platform, b.platformParts as Platform)
      ? -1
      : matcher.less(b.platformParts as Platform, a.platformParts as Platform)
        ? 1
        : 0,
  )
  const attestations = attestationsOf(tree)
  const cells: MatrixCell[] = manifests.map((m) => {
    const p = m.platformParts as Platform
    const config = m.children.find((c) => c.kind === 'config') ?? null
    const layers = m.children.filter((c) => c.kind === 'layer')
    let compressed = m.size
    for (const c of m.children) compressed += c.size
    const sizes = layers.map((l) => uncompressed.get(l.digest))
    const rank = ranked.indexOf(m)
    return {
      row: rows.findIndex((r) => r.label === rowKey(p)),
      column: columns.findIndex((c) => c.label === colKey(p)),
      platform: m.platform ?? '',
      status: presenceOf(m),
      compressedSize: compressed,
      uncompressedSize: sizes.every((s) => s !== undefined)
        ? sizes.reduce<number>((a, s) => a + (s ?? 0), 0)
        : null,
      layers: layers.length,
      manifestDigest: m.digest,
      configDigest: config?.digest ?? null,
      rank: rank >= 0 ? rank : null,
      runnable: rank >= 0,
      best: rank === 0,
      attestations: attestations.filter((a) => a.refersTo === m.digest).map((a) => a.digest),
    }
  })
  for (const a of attestations) {
    a.platform = manifests.find((m) => m.digest === a.refersTo)?.platform ?? null
  }
  return { host, rows, columns, cells, attestations }
}

function attestationsOf(tree: DescriptorNode): AttestationInfo[] {
  const out: AttestationInfo[] = []
  for (const n of nodes(tree)) {
    if (n.kind !== 'attestation') continue
    const predicateTypes = new Set<string>()
    for (const l of n.children) {
      const t = l.annotations?.[PREDICATE]
      if (t) predicateTypes.add(t)
    }
    out.push({
      digest: n.digest,
      size: n.size,
      present: n.present,
      refersTo: n.annotations?.[ATTESTATION_REF] ?? null,
      platform: null,
      predicateTypes: [...predicateTypes],
    })
  }
  return out
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
