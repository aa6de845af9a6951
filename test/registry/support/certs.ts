// Certificates made by the tests with the openssl CLI: a CA, a server certificate for 127.0.0.1 that
// the CA signs, and a self-signed key pair for a token issuer. Nothing is committed; all of it lives in
// a temp directory for one test file.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
}

export interface TlsFiles {
  caCert: string
  caPem: string
  cert: string
  key: string
}

/** A CA and a server certificate for 127.0.0.1 / localhost signed by it. */
export function makeServerCerts(dir: string): TlsFiles {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=Berth test CA',
    ],
    dir,
  )
  openssl(
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=127.0.0.1',
    ],
    dir,
  )
  writeFileSync(
    join(dir, 'ext.cnf'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  )
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
    ],
    dir,
  )
  return {
    caCert: join(dir, 'ca.crt'),
    caPem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    cert: join(dir, 'server.crt'),
    key: join(dir, 'server.key'),
  }
}

export interface SigningFiles {
  cert: string
  certPem: string
  /** Base64 DER of the certificate, for a JWT's x5c header. */
  certDer: string
  keyPem: string
}

/** A P-256 key and a self-signed certificate: the registry trusts tokens whose x5c chain ends in it. */
export function makeSigningCert(dir: string): SigningFiles {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'issuer.key',
      '-out',
      'issuer.crt',
      '-days',
      '2',
      '-subj',
      '/CN=Berth test token issuer',
    ],
    dir,
  )
  const certPem = readFileSync(join(dir, 'issuer.crt'), 'utf8')
  const certDer = certPem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '')
  return {
    cert: join(dir, 'issuer.crt'),
    certPem,
    certDer,
    keyPem: readFileSync(join(dir, 'issuer.key'), 'utf8'),
  }
}

/** A bcrypt htpasswd line; libxcrypt's crypt(3), reached through perl, knows $2b$. */
export function htpasswdLine(user: string, password: string): string {
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  let salt = ''
  for (let i = 0; i < 22; i++) salt += alphabet[Math.floor(Math.random() * 64)]
  // bcrypt's last salt character carries only 2 bits: keep it to one that encodes them cleanly.
  salt = salt.slice(0, 21) + '.'
  const hash = execFileSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, `$2b$05$${salt}`], {
    encoding: 'utf8',
  })
  if (!hash.startsWith('$2b$')) throw new Error('this system crypt(3) cannot make bcrypt hashes')
  return `${user}:${hash}`
}
