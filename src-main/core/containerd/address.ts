// containerd addresses as ctr takes them (--address, $CONTAINERD_ADDRESS): a socket path, or a unix://
// URL of one. Berth dials unix sockets only; a named pipe or TCP address is refused by name.
import { homedir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { invalidArgument, notImplemented } from '../errors'

/** containerd's defaults.DefaultAddress on Linux (and on macOS VMs that forward it). */
export const DEFAULT_ADDRESS = '/run/containerd/containerd.sock'

/** Longer strings are refused before any parsing: no real socket path comes near. */
const MAX_ADDRESS = 4096

export interface Address {
  /** The socket's absolute path: how Berth names the daemon in messages and lists. */
  path: string
  /** What grpc-js dials. */
  target: string
}

/**
 * `cwd` resolves a relative path (the CLI's: the shell's directory); null refuses one (the app's store
 * host has no working directory its user knows of). A leading `~/` is the home directory: a shell
 * expands it for ctr, the app's Add dialog has no shell.
 */
export function parseAddress(input: string, cwd: string | null = process.cwd()): Address {
  if (typeof input !== 'string' || input.trim() === '')
    throw invalidArgument('containerd address must not be empty (a socket path, or unix:///path)')
  if (input.length > MAX_ADDRESS)
    throw invalidArgument(`containerd address is ${input.length} characters, over ${MAX_ADDRESS}`)
  let path = input.trim()
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(path)
  // A Windows drive letter (C:\…) is a path, not a scheme.
  if (scheme && !/^[a-z]:[\\/]/i.test(path)) {
    const name = scheme[1].toLowerCase()
    if (name === 'npipe' || path.startsWith('\\\\.\\pipe\\'))
      throw notImplemented(`containerd address ${input}: named pipes are not supported; use a unix socket`)
    if (name !== 'unix')
      throw invalidArgument(
        `containerd address ${input}: only unix sockets are supported (a path, or unix:///path)`,
      )
    path = path.slice(scheme[0].length).replace(/^\/\/(?=[/~])/, '')
    if (path === '') throw invalidArgument(`containerd address ${input} names no socket path`)
  } else if (path.startsWith('\\\\.\\pipe\\')) {
    throw notImplemented(`containerd address ${input}: named pipes are not supported; use a unix socket`)
  }
  if (path === '~' || path.startsWith('~/') || path.startsWith('~\\')) path = join(homedir(), path.slice(1))
  if (!isAbsolute(path)) {
    if (cwd === null)
      throw invalidArgument(`containerd address ${input} is a relative path: give the socket's full path`)
    path = resolve(cwd, path)
  }
  return { path, target: `unix:${path}` }
}
