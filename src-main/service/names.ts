// Splitting an image name into repository and tag for display and sorting. containerd stores names
// unparsed (any non-empty string), so this never fails: a name without a tag has tag ''.
export function splitName(name: string): { repository: string; tag: string } {
  const at = name.indexOf('@')
  const base = at >= 0 ? name.slice(0, at) : name
  const slash = base.lastIndexOf('/')
  const colon = base.lastIndexOf(':')
  if (colon > slash && colon >= 0) return { repository: base.slice(0, colon), tag: base.slice(colon + 1) }
  return { repository: base, tag: '' }
}
