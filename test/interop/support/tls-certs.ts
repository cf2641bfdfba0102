import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TlsFiles } from './pair-config.js';

/**
 * A throw-away PKI made with the openssl CLI: one CA and, per server, a key and a certificate for its
 * IP address (subjectAltName IP, which both Kea's and Node's TLS clients verify against the URL's host),
 * usable as server and as client certificate.
 */
const openssl = (args: readonly string[]): void => {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
};

export const makeCertificates = (dir: string, servers: readonly { readonly name: string; readonly address: string }[]): Record<string, TlsFiles> => {
  const pki = join(dir, 'pki');
  mkdirSync(pki, { recursive: true });
  const caKey = join(pki, 'ca.key');
  const caCert = join(pki, 'ca.pem');
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', caCert, '-days', '2', '-subj', '/CN=Tandem interop test CA']);
  const out: Record<string, TlsFiles> = {};
  for (const { name, address } of servers) {
    const key = join(pki, `${name}.key`);
    const csr = join(pki, `${name}.csr`);
    const cert = join(pki, `${name}.pem`);
    const ext = join(pki, `${name}.ext`);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${address}`]);
    writeFileSync(ext, `subjectAltName=IP:${address}\nextendedKeyUsage=serverAuth,clientAuth\n`);
    openssl(['x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext]);
    out[name] = { trustAnchor: caCert, certFile: cert, keyFile: key };
  }
  return out;
};
