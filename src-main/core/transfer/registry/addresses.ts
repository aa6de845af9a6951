// Which network an address is on, and whether a registry conversation may be sent there. A registry
// chooses where its token realm, redirects and upload Locations point; a hostile or compromised one
// could aim them at this machine (loopback), the cloud metadata service (link-local) or the user's
// internal network (private). So a request to any host other than the registry's own goes only to
// public addresses, or to the class of network the registry itself is on (a registry on the
// intranet may send you to intranet storage). Names are resolved first and the connection is
// pinned to the addresses that were checked, so DNS cannot answer differently the second time.
import type { LookupAddress, LookupOptions } from 'node:dns'
import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'
import { failedPrecondition, unavailable } from '../../errors'

export type AddressClass = 'loopback' | 'unspecified' | 'link-local' | 'private' | 'reserved' | 'public'

export interface ResolvedAddress {
  address: string
  family: 4 | 6
}

/** Name → addresses, as dns.lookup answers (the OS resolver, /etc/hosts included). Injectable for tests. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>

export const systemResolver: Resolver = async (hostname) => {
  const all = await lookup(hostname, { all: true, verbatim: true })
  return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }))
}

function subnets(list: [string, number][]): BlockList {
  const b = new BlockList()
  for (const [net, prefix] of list) b.addSubnet(net, prefix, net.includes(':') ? 'ipv6' : 'ipv4')
  return b
}

const CLASSES: [AddressClass, BlockList][] = [
  [
    'loopback',
    subnets([
      ['127.0.0.0', 8],
      ['::1', 128],
    ]),
  ],
  [
    'unspecified',
    subnets([
      ['0.0.0.0', 8],
      ['::', 128],
    ]),
  ],
  [
    'link-local',
    subnets([
      ['169.254.0.0', 16],
      ['fe80::', 10],
    ]),
  ],
  [
    'private',
    subnets([
      ['10.0.0.0', 8],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
      // Carrier-grade NAT space is internal to whoever runs it, and cloud providers use it too.
      ['100.64.0.0', 10],
      ['fc00::', 7],
      ['fec0::', 10],
    ]),
  ],
  [
    'reserved',
    subnets([
      ['224.0.0.0', 4],
      ['240.0.0.0', 4],
      ['ff00::', 8],
    ]),
  ],
]

/** An IPv4 address carried in IPv6 (`::ffff:a.b.c.d`) is classified as the IPv4 address it is. */
function unmapped(ip: string): string {
  const canonical = new URL(`http://[${ip}]/`).hostname
  const m = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(canonical)
  if (!m) return ip
  const hi = parseInt(m[1], 16)
  const lo = parseInt(m[2], 16)
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
}

/** The class of an IP address (v4 or v6, without brackets). */
export function classifyAddress(address: string): AddressClass {
  let ip = address.replace(/^\[|\]$/g, '')
  const zone = ip.indexOf('%')
  if (zone >= 0) ip = ip.slice(0, zone)
  let family = isIP(ip)
  if (family === 0) throw failedPrecondition(`"${address}" is not an IP address`)
  if (family === 6) {
    ip = unmapped(ip)
    family = isIP(ip)
  }
  const type = family === 6 ? 'ipv6' : 'ipv4'
  for (const [cls, list] of CLASSES) if (list.check(ip, type)) return cls
  return 'public'
}

/** The host part of a URL or `host[:port]`, without IPv6 brackets. */
export function hostnameOf(host: string): string {
  return new URL(`http://${host}/`).hostname.replace(/^\[|\]$/g, '')
}

/** Addresses of a host: an IP literal is its own answer; a name goes to the resolver. */
export async function resolveHost(hostname: string, resolver: Resolver): Promise<ResolvedAddress[]> {
  const bare = hostname.replace(/^\[|\]$/g, '')
  const family = isIP(bare)
  if (family !== 0) return [{ address: bare, family: family === 6 ? 6 : 4 }]
  let answers: ResolvedAddress[]
  try {
    answers = await resolver(bare)
  } catch (e) {
    throw unavailable(`cannot resolve ${bare}: ${(e as Error).message}`, e)
  }
  if (answers.length === 0) throw unavailable(`cannot resolve ${bare}: no addresses`)
  return answers
}

/**
 * Checks that `target` (a host other than the registry) may be reached in a conversation with a
 * registry whose addresses fall in `registryClasses`, and returns the addresses to connect to.
 * FailedPrecondition, naming the address and why, when any of them is refused.
 */
export async function admitHost(
  target: string,
  registry: string,
  registryClasses: ReadonlySet<AddressClass>,
  resolver: Resolver,
  what: string,
): Promise<ResolvedAddress[]> {
  const answers = await resolveHost(target, resolver)
  for (const a of answers) {
    const cls = classifyAddress(a.address)
    if (cls === 'public' || registryClasses.has(cls)) continue
    throw failedPrecondition(
      `refusing ${what} to ${target}: it resolves to ${a.address}, a ${cls} address, and the registry ${registry} is not on a ${cls} network`,
    )
  }
  return answers
}

/** The classes of network a registry host is on; 0.0.0.0 and :: reach this machine, so they count as loopback too. */
export async function classesOf(registry: string, resolver: Resolver): Promise<Set<AddressClass>> {
  const out = new Set<AddressClass>()
  for (const a of await resolveHost(hostnameOf(registry), resolver)) {
    const cls = classifyAddress(a.address)
    out.add(cls)
    if (cls === 'unspecified') out.add('loopback')
  }
  return out
}

/**
 * The hosts a transport's conversations reach, admitted against the network of the registry each
 * conversation is with (resolved once per registry host and kept).
 */
export class Destinations {
  readonly resolver: Resolver
  private readonly registries = new Map<string, Promise<Set<AddressClass>>>()

  constructor(resolver: Resolver = systemResolver) {
    this.resolver = resolver
  }

  /** admitHost for `target` in a conversation with `registry`: the addresses to connect to. */
  async admit(target: string, registry: string, what: string): Promise<ResolvedAddress[]> {
    let classes = this.registries.get(registry)
    if (!classes) {
      classes = classesOf(registry, this.resolver)
      classes.catch(() => this.registries.delete(registry))
      this.registries.set(registry, classes)
    }
    return admitHost(target, registry, await classes, this.resolver, what)
  }
}

/** A `lookup` for http.request answering from `get` (pinned addresses, or the injected resolver). */
export function lookupFrom(get: (hostname: string) => Promise<ResolvedAddress[]>) {
  return (
    hostname: string,
    options: LookupOptions,
    callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    get(hostname).then(
      (all) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0
        const list = family === 0 ? all : all.filter((a) => a.family === family)
        if (list.length === 0) {
          const e = Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' })
          callback(e, '', 0)
        } else if (options.all) callback(null, list)
        else callback(null, list[0].address, list[0].family)
      },
      (e: unknown) => callback(e as Error, '', 0),
    )
  }
}
