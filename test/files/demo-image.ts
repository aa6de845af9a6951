// The image the file tests stack: three layers that exercise every rule of the overlay — whiteouts of
// files and directories, an opaque directory, a whiteout that must spare an entry of its own layer, a
// file replacing a directory and a directory replacing a file, hardlinks within a layer and across
// layers, symlinks, devices, a FIFO, setuid and sticky modes, owners, PAX long names and a parent
// directory that no entry names — plus empty history entries as a Dockerfile's ENV and CMD leave them.
import { randomBytes } from '../fixtures/blobs'
import { opaque, whiteout, type StackedLayer, type TarSpec } from '../fixtures/layers'

export const LONG_DIR = `usr/share/${'a-rather-long-directory-name-'.repeat(4)}end`
export const LONG_FILE = `${LONG_DIR}/${'file-with-a-name-longer-than-ustar-allows-'.repeat(3)}.txt`
export const BIG = randomBytes('demo-big', 50_000)

export const BASE: TarSpec[] = [
  { path: 'etc/', type: 'dir' },
  { path: 'etc/passwd', data: 'root:x:0:0:root:/root:/bin/sh\n' },
  { path: 'etc/shadow', data: 'root:*:19000::::::\n', mode: 0o640, gid: 42 },
  { path: 'usr/', type: 'dir' },
  { path: 'usr/bin/', type: 'dir' },
  { path: 'usr/bin/tool', data: randomBytes('demo-tool', 3000), mode: 0o755 },
  { path: 'usr/bin/suid', data: 'suid\n', mode: 0o4755 },
  { path: 'usr/bin/tool-hardlink', type: 'hardlink', link: 'usr/bin/tool' },
  { path: 'usr/bin/sh', type: 'symlink', link: 'tool' },
  { path: 'usr/share/', type: 'dir' },
  { path: `${LONG_DIR}/`, type: 'dir' },
  { path: LONG_FILE, data: 'long\n' },
  { path: 'usr/share/long-link', type: 'symlink', link: `/${LONG_FILE}` },
  { path: 'var/', type: 'dir' },
  { path: 'var/cache/', type: 'dir', mode: 0o750, uid: 1000, gid: 1000 },
  { path: 'var/cache/big.bin', data: BIG, uid: 1000, gid: 1000 },
  { path: 'var/cache/old/', type: 'dir' },
  { path: 'var/cache/old/a', data: 'a\n' },
  { path: 'var/cache/old/b', data: 'bb\n' },
  { path: 'opt/', type: 'dir' },
  { path: 'opt/app/', type: 'dir' },
  { path: 'opt/app/config.json', data: '{"debug": true}\n' },
  { path: 'opt/app/lib/', type: 'dir' },
  { path: 'opt/app/lib/x.so', data: randomBytes('demo-x', 1200) },
  { path: 'tmp/', type: 'dir', mode: 0o1777 },
  { path: 'dev/', type: 'dir' },
  { path: 'dev/null', type: 'char', mode: 0o666, devmaj: 1, devmin: 3 },
  { path: 'run/', type: 'dir' },
  { path: 'run/pipe', type: 'fifo', mode: 0o600 },
  // No entry names srv/ or srv/implicit/: an unpacker creates them.
  { path: 'srv/implicit/child.txt', data: 'child\n' },
]

export const LAYER1: TarSpec[] = [
  { path: 'tmp/keep.txt', data: 'kept: the whiteout below is in the same layer\n' },
  whiteout('tmp/keep.txt'),
  whiteout('var/cache/big.bin'),
  { path: 'var/cache/old/', type: 'dir' },
  opaque('var/cache/old'),
  { path: 'var/cache/old/c', data: 'ccc\n' },
  { path: 'etc/passwd', data: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n' },
  whiteout('opt/app'),
  { path: 'opt/app2/', type: 'dir' },
  { path: 'opt/app2/x', data: 'x\n' },
  // A directory replaces a file.
  { path: 'usr/bin/suid/', type: 'dir', mode: 0o700 },
  { path: 'usr/bin/suid/inside', data: 'inside\n' },
]

export const LAYER2: TarSpec[] = [
  { path: 'var/cache/big.bin', data: 'small now\n' },
  // A file replaces a directory (and what was in it).
  { path: 'opt/app2', data: 'now a file\n' },
  // A hardlink to a file of a lower layer.
  { path: 'etc/passwd-link', type: 'hardlink', link: 'etc/passwd' },
  // Mode change only.
  { path: 'etc/shadow', data: 'root:*:19000::::::\n', mode: 0o600, gid: 42 },
  { path: 'home/app/', type: 'dir', mode: 0o700, uid: 1000, gid: 1000 },
  { path: 'home/app/.profile', data: 'export PS1=app\n', uid: 1000, gid: 1000 },
]

export const DEMO_LAYERS: StackedLayer[] = [
  { entries: BASE, command: '/bin/sh -c #(nop) ADD file:base in /' },
  { entries: LAYER1, command: 'RUN rm -rf /var/cache/big.bin /opt/app && adduser app', compression: 'zstd' },
  { entries: LAYER2, command: 'RUN echo small now > /var/cache/big.bin', compression: 'none' },
]

export const DEMO_EMPTY = [
  { before: 1, command: 'ENV APP=1' },
  { before: 3, command: 'CMD ["/bin/sh"]' },
]
