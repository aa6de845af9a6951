import { render, screen } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import type { DescriptorNode } from '../../../src-preload/api'
import DescriptorTree from './DescriptorTree.svelte'

const node = (digit: string, extra: Partial<DescriptorNode> = {}): DescriptorNode => ({
  digest: `sha256:${digit.repeat(64)}`,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  size: 10,
  kind: 'manifest',
  present: true,
  children: [],
  ...extra,
})

describe('DescriptorTree', () => {
  it('marks a node whose children were cut as too complex to show, and only that node', () => {
    const cut = node('b', { tooComplex: true, children: [node('c', { kind: 'layer' })] })
    render(DescriptorTree, {
      props: { node: node('a', { kind: 'index', children: [cut, node('d')] }), onopen: () => {} },
    })
    const marks = screen.getAllByText('too complex to show')
    expect(marks).toHaveLength(1)
    expect(marks[0].closest('[role="treeitem"]')).toHaveTextContent('b'.repeat(12))
  })
})
