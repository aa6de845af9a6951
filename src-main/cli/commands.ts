// Every command of `berth`: its name, arguments, flags and help, and where its body lives. Bodies are
// loaded only when their command runs, so `berth --version` and `--help` never load the store.
import type { FlagDef } from './args'
import type * as Content from './content'
import type * as Files from './files'
import type * as Images from './images'
import type { CommandBody } from './io'
import type * as Registry from './registry'

export interface CommandSpec {
  name: string
  aliases?: string[]
  /** The arguments after the command's name, for the usage line. */
  args: string
  summary: string
  /** Paragraphs after the flags in `--help`. */
  details?: string
  flags: readonly FlagDef[]
  /** False for commands that never open the store (login/logout keep secrets elsewhere). */
  store?: boolean
  /** True for the commands that act on the containerd daemon of --address instead of Berth's store. */
  daemon?: boolean
  load: () => Promise<CommandBody>
}

export interface GroupSpec {
  name: string
  aliases?: string[]
  summary: string
  commands: readonly CommandSpec[]
}

export type Entry = CommandSpec | GroupSpec

export const isGroup = (e: Entry): e is GroupSpec => 'commands' in e

const noProgress: FlagDef = { name: 'no-progress', help: 'print no progress on stderr' }
const quiet: FlagDef = { name: 'quiet', alias: 'q', help: 'print only the names (digests for content)' }
const platformHelp =
  'a platform such as linux/arm64 or windows/amd64; os, os/arch or os/arch/variant, as containerd parses it'
const transport: FlagDef[] = [
  { name: 'plain-http', help: 'use plain HTTP (localhost and 127.0.0.1 use it without this flag)' },
  {
    name: 'insecure',
    value: 'HOST',
    help: 'allow plain HTTP or an unverified certificate for HOST (repeatable)',
  },
  { name: 'ca', value: 'FILE', help: 'trust the CA certificates in FILE (PEM) as well as the system ones' },
]
const copyFlags = (to: string): FlagDef[] => [
  { name: 'platform', value: 'P', help: `copy only this platform (repeatable; ${platformHelp})` },
  { name: 'all-platforms', help: 'copy every platform (the default)' },
  { name: 'to-namespace', value: 'NS', help: `the namespace ${to} (default: -n)` },
  noProgress,
]
const filterDetails = `FILTERs are containerd's filter language; several are ORed, commas inside one AND its parts:
  name==docker.io/library/app:1   name~=^docker.io/   labels."env"==prod   target.mediatype~=index
A ~= expression that does not compile matches nothing (as in containerd) and is reported on stderr.`

// Type-only imports above: a body's module loads when its command runs.
const images = (pick: (m: typeof Images) => CommandBody) => () => import('./images').then(pick)
const content = (pick: (m: typeof Content) => CommandBody) => () => import('./content').then(pick)
const registry = (pick: (m: typeof Registry) => CommandBody) => () => import('./registry').then(pick)
const files = (pick: (m: typeof Files) => CommandBody) => () => import('./files').then(pick)
const filesPlatform: FlagDef = {
  name: 'platform',
  value: 'P',
  help: `look into this platform (default: this machine's best match; ${platformHelp})`,
}
const filesNote = `The image's files are indexed the first time (each layer read once, progress on stderr).
Names from inside the image are printed escaped (as ls -b does).`

export const IMAGES: GroupSpec = {
  name: 'images',
  aliases: ['image', 'i'],
  summary: 'list, import, export, label, tag, remove, check, inspect and copy images, and look inside them',
  commands: [
    {
      name: 'ls',
      aliases: ['list'],
      args: '[-q] [FILTER...]',
      summary: 'list images: REF TYPE DIGEST SIZE PLATFORMS LABELS',
      details: `SIZE is containerd's Image.Size for this machine's platform: the target, the chosen manifest,
its config and layers. PLATFORMS lists every platform the image names.
${filterDetails}`,
      flags: [quiet],
      daemon: true,
      load: () => import('./images-ls').then((m) => m.ls),
    },
    {
      name: 'import',
      args: 'FILE|- [flags]',
      summary: 'import an OCI archive (tar, tar.gz, tar.zst), an OCI layout directory or a docker save tar',
      details: `As ctr: only this machine's platform is kept unless --all-platforms or --platform says
otherwise. FILE is relative to the current directory; - reads the archive from stdin.`,
      flags: [
        { name: 'all-platforms', help: "keep every platform's content" },
        { name: 'platform', value: 'P', help: `keep this platform's content (${platformHelp})` },
        { name: 'index-name', value: 'NAME', help: "name an image after the archive's own index" },
        { name: 'base-name', value: 'NAME', help: 'name images NAME:TAG after the tags the archive names' },
        { name: 'digests', help: 'also name images NAME@DIGEST' },
        {
          name: 'skip-digest-for-named',
          help: 'with --digests: no digest names for images that have a name',
        },
        { name: 'label', value: 'KEY=VALUE', help: 'set a label on every imported image (repeatable)' },
        {
          name: 'verify-diff-ids',
          help: "decompress the layers and check them against the configs' diff IDs",
        },
        { name: 'no-unpack', help: 'accepted for ctr compatibility: Berth never unpacks' },
        { name: 'local', help: 'accepted for ctr compatibility' },
        noProgress,
      ],
      load: images((m) => m.importCmd),
    },
    {
      name: 'export',
      args: 'FILE|- NAME... [flags]',
      summary: 'export images as an OCI archive (or an OCI layout directory with --dir)',
      details: `FILE is relative to the current directory and its directory must exist; - writes the archive
to stdout. Exports are deterministic: the same image exports to the same bytes.`,
      flags: [
        { name: 'all-platforms', help: "export every platform's content" },
        { name: 'platform', value: 'P', help: `export this platform (repeatable; ${platformHelp})` },
        { name: 'dir', help: 'write an OCI layout directory instead of a tar' },
        { name: 'compress', value: 'gzip|zstd', help: 'compress the archive' },
        { name: 'skip-manifest-json', help: "leave out Docker's manifest.json" },
        { name: 'local', help: 'accepted for ctr compatibility' },
        noProgress,
      ],
      load: images((m) => m.exportCmd),
    },
    {
      name: 'label',
      args: 'NAME [KEY=VALUE|KEY=...]',
      summary: "set (KEY=VALUE) and remove (KEY=) an image's labels; with no pairs, print them",
      details:
        'Prints the labels after the change as KEY=VALUE,KEY=VALUE. -r with no pairs removes every label.',
      flags: [{ name: 'replace-all', alias: 'r', help: 'replace all labels with the pairs given' }],
      daemon: true,
      load: images((m) => m.label),
    },
    {
      name: 'tag',
      args: 'SOURCE TARGET...',
      summary: 'give an image more names',
      details: `TARGETs must be valid references and are named as pull names images (app:1 is
docker.io/library/app:1). An existing TARGET is replaced only with --force.`,
      flags: [
        { name: 'force', help: 'replace an existing image of that name' },
        { name: 'skip-reference-check', help: 'take TARGET as typed: no reference check, no normalization' },
        { name: 'local', help: 'accepted for ctr compatibility' },
      ],
      daemon: true,
      load: images((m) => m.tag),
    },
    {
      name: 'rm',
      aliases: ['remove', 'delete', 'del'],
      args: 'NAME... [--sync]',
      summary: 'remove images (names that do not exist are reported, as ctr does)',
      details: 'Without --sync the bytes stay until the next garbage collection (berth gc).',
      flags: [{ name: 'sync', help: 'collect garbage before returning and print what it freed' }],
      daemon: true,
      load: images((m) => m.rm),
    },
    {
      name: 'check',
      args: '[-q] [FILTER...]',
      summary: "check every platform's content: REF TYPE DIGEST STATUS SIZE",
      details: `STATUS is complete when every platform's config and layers are present, incomplete
otherwise (the missing platforms are listed on stderr). SIZE is present/required bytes.
${filterDetails}`,
      flags: [{ name: 'quiet', alias: 'q', help: 'print only the names of complete images' }],
      daemon: true,
      load: images((m) => m.check),
    },
    {
      name: 'inspect',
      args: 'NAME [--platform P]',
      summary: "an image's target, platforms, manifest, config and diff IDs",
      flags: [
        { name: 'platform', value: 'P', help: `show this platform (default: this machine's best match)` },
      ],
      daemon: true,
      load: images((m) => m.inspect),
    },
    {
      name: 'send',
      args: 'NAME... [flags]',
      summary: "copy images from Berth's store into containerd (the daemon of --address)",
      details: `The blobs the daemon lacks go through its Content service, with containerd's gc.ref labels,
under a lease; the image record is written last, so a copy that stops leaves no half image there.
Without --address: containerd's default socket, /run/containerd/containerd.sock.`,
      flags: copyFlags('to containerd'),
      daemon: true,
      load: () => import('./containerd').then((m) => m.send),
    },
    {
      name: 'receive',
      args: 'NAME... [flags]',
      summary: "copy images from containerd (the daemon of --address) into Berth's store",
      details: `The same copy the other way: what Berth's store lacks is read from the daemon's Content
service and verified as it lands.`,
      flags: copyFlags("to Berth's store"),
      daemon: true,
      load: () => import('./containerd').then((m) => m.receive),
    },
    {
      name: 'files',
      args: 'NAME [PATH] [flags]',
      summary: 'what is inside an image: the merged tree ls -l style, or what one layer changed',
      details: `PATH is a directory (its entries) or a file, / by default. With --layer N: everything layer N
(0 is the bottom) added (A), modified (M) or removed (D) under PATH.
${filesNote}`,
      flags: [
        filesPlatform,
        { name: 'layer', value: 'N', help: "show layer N's changes instead of the merged tree" },
        noProgress,
      ],
      load: files((m) => m.files),
    },
    {
      name: 'wasted',
      args: 'NAME [flags]',
      summary: 'bytes no path of the merged tree shows, biggest first, and the efficiency dive reports',
      details: `Wasted bytes are file versions a later layer overwrote or removed; efficiency is
1 - wasted / all file bytes across layers.
${filesNote}`,
      flags: [filesPlatform, { name: 'limit', value: 'N', help: 'list N paths (default 20)' }, noProgress],
      load: files((m) => m.wasted),
    },
    {
      name: 'cat',
      args: 'NAME PATH [flags]',
      summary: "write a file's bytes to stdout",
      details: `With --layer N, the file as it is in the tree as of layer N (a file a later layer removed too).
${filesNote}`,
      flags: [filesPlatform, { name: 'layer', value: 'N', help: 'the file as of layer N' }],
      load: files((m) => m.cat),
    },
    {
      name: 'diff',
      args: 'A B [flags]',
      summary: "compare two images' files: added (+), removed (-), changed (M), and shared layers",
      details: `Changed means another type, size, mode, owner or link target. To compare two platforms of
one image, name it twice: berth images diff app:1 app:1 --platform linux/amd64 --platform linux/arm64.
${filesNote}`,
      flags: [
        { name: 'platform', value: 'P', help: 'the platform of A, then of B (one --platform: both)' },
        { name: 'added', help: 'only what B adds' },
        { name: 'removed', help: 'only what B removes' },
        { name: 'changed', help: 'only what changed' },
        noProgress,
      ],
      load: files((m) => m.diff),
    },
  ],
}

export const CONTENT: GroupSpec = {
  name: 'content',
  summary: 'list, label and read blobs',
  commands: [
    {
      name: 'ls',
      aliases: ['list'],
      args: '[-q] [FILTER...]',
      summary: 'list blobs: DIGEST SIZE AGE LABELS',
      details: `FILTERs use the fields digest and labels.KEY, e.g. 'labels."containerd.io/gc.root"'.
A ~= expression that does not compile matches nothing and is reported on stderr.`,
      flags: [quiet],
      load: content((m) => m.ls),
    },
    {
      name: 'label',
      args: 'DIGEST [KEY=VALUE|KEY=...]',
      summary: "set and remove a blob's labels; with no pairs, print them",
      flags: [],
      load: content((m) => m.label),
    },
    {
      name: 'get',
      args: 'DIGEST',
      summary: "write a blob's bytes to stdout",
      flags: [],
      load: content((m) => m.get),
    },
  ],
}

export const TOP: readonly Entry[] = [
  IMAGES,
  CONTENT,
  {
    name: 'gc',
    args: '[--dry-run]',
    summary: 'remove what no image, lease or gc.root label keeps alive',
    flags: [{ name: 'dry-run', help: 'only list what would be removed' }],
    load: () => import('./gc').then((m) => m.gcCommand),
  },
  {
    name: 'pull',
    args: 'REF [flags]',
    summary: "fetch an image from a registry (this machine's platform unless told otherwise)",
    details: 'REF is normalized as docker does: nginx is docker.io/library/nginx:latest.',
    flags: [
      {
        name: 'platform',
        value: 'P',
        help: `fetch this platform (repeatable, or comma-separated; ${platformHelp})`,
      },
      { name: 'all-platforms', help: 'fetch every platform' },
      { name: 'concurrency', value: 'N', help: 'blobs fetched at once' },
      ...transport,
      noProgress,
    ],
    load: registry((m) => m.pullCommand),
  },
  {
    name: 'push',
    args: 'NAME [REF] [flags]',
    summary: 'send an image to a registry (to REF, else to its own name)',
    flags: [
      { name: 'platform', value: 'P', help: 'push only this platform (repeatable)' },
      { name: 'chunk-size', value: 'BYTES', help: 'upload in chunks of this size' },
      { name: 'concurrency', value: 'N', help: 'blobs sent at once' },
      ...transport,
      noProgress,
    ],
    load: registry((m) => m.pushCommand),
  },
  {
    name: 'login',
    args: 'HOST [-u USER] [--password-stdin]',
    summary: 'check a login with the registry, then keep it in the OS keychain',
    details: `The secret goes to a docker credential helper (docker-credential-osxkeychain, -wincred,
-secretservice or -pass; BERTH_CREDENTIAL_HELPER=NAME picks one): Berth writes no secret to disk itself.
Without a helper, login refuses; docker login's credentials (~/.docker/config.json) are used as well.`,
    flags: [
      { name: 'username', alias: 'u', value: 'USER', help: 'the user name (asked for when absent)' },
      { name: 'password-stdin', help: 'read the password or token from stdin' },
      ...transport,
    ],
    store: false,
    load: registry((m) => m.loginCommand),
  },
  {
    name: 'logout',
    args: 'HOST',
    summary: 'forget the login for HOST',
    flags: [],
    store: false,
    load: registry((m) => m.logoutCommand),
  },
  {
    name: 'version',
    args: '',
    summary: "Berth's version, Node's, this machine's platform and the store root",
    flags: [],
    store: false,
    load: () => import('./version').then((m) => m.versionCommand),
  },
]

/** The entry a word names (its name or an alias), or undefined. */
export function find<E extends Entry | CommandSpec>(entries: readonly E[], word: string): E | undefined {
  return entries.find((e) => e.name === word || (e.aliases ?? []).includes(word))
}
