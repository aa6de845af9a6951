// Namespaces scope every record, as containerd's request context does.
import { failedPrecondition, invalidArgument } from './errors'

const IDENTIFIER = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/
const MAX_LENGTH = 76

export const DEFAULT_NAMESPACE = 'default'

/** containerd's identifiers.Validate plus namespaces.NamespaceRequired. */
export function validateNamespace(ns: string): string {
  if (ns === undefined || ns === null || ns === '') throw failedPrecondition('namespace is required')
  if (typeof ns !== 'string') throw invalidArgument(`namespace must be a string`)
  if (ns.length > MAX_LENGTH) {
    throw invalidArgument(
      `identifier ${JSON.stringify(ns)} greater than maximum length (${MAX_LENGTH} characters)`,
    )
  }
  if (!IDENTIFIER.test(ns)) {
    throw invalidArgument(`identifier ${JSON.stringify(ns)} must match ${IDENTIFIER.source}`)
  }
  return ns
}
