/**
 * Loading the PEM files named by Kea's TLS parameters. `trust-anchor` may name a file or, as with
 * OpenSSL's CA path, a directory; every certificate found in the directory's regular files is trusted.
 */

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read TLS ${what} '${path}': ${describe(error)}`);
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const readCertFile = (path: string): string => readPem(path, 'cert-file');
export const readKeyFile = (path: string): string => readPem(path, 'key-file');

/** The trusted CA certificates, each as its own PEM block. */
export function readTrustAnchor(path: string): string[] {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    throw new Error(`cannot read TLS trust-anchor '${path}': ${describe(error)}`);
  }
  const texts = isDirectory
    ? readdirSync(path)
        .sort()
        .map((name) => join(path, name))
        .filter((file) => statSync(file).isFile())
        .map((file) => readPem(file, 'trust-anchor'))
    : [readPem(path, 'trust-anchor')];
  const certificates = texts.flatMap((text) => text.match(PEM_CERTIFICATE) ?? []);
  if (certificates.length === 0) throw new Error(`TLS trust-anchor '${path}' holds no PEM certificate`);
  return certificates;
}
