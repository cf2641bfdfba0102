/**
 * TLS parameters (spec §5.1, §5.2, CFG-28..30): a peer entry's `trust-anchor`, `cert-file` and
 * `key-file` override the relationship's; an empty string counts as "not set" and does not
 * inherit, which is how one peer opts out of TLS. After inheritance all three or none.
 */
import { fail } from './errors.js';
import { tryReadFile, type ReadFile } from './file-reader.js';
import { childPath } from './json-path.js';
import { readOptionalString, type JsonMap } from './json-reader.js';
import type { TlsConfig } from './types.js';

export const TLS_KEYS = ['trust-anchor', 'cert-file', 'key-file'] as const;
type TlsKey = (typeof TLS_KEYS)[number];

interface LocatedValue {
  readonly value: string;
  readonly path: string;
}

/** Where each TLS parameter was written (if at all) at one level of the configuration. */
export type TlsSources = Readonly<Partial<Record<TlsKey, LocatedValue>>>;

export function readTlsSources(map: JsonMap, mapPath: string): TlsSources {
  const sources: Partial<Record<TlsKey, LocatedValue>> = {};
  for (const key of TLS_KEYS) {
    const value = readOptionalString(map, key, mapPath);
    if (value !== undefined) sources[key] = { value, path: childPath(mapPath, key) };
  }
  return sources;
}

/** The relationship-level defaults, reported only when they form a complete set. */
export function completeTls(sources: TlsSources): TlsConfig | undefined {
  const trustAnchor = sources['trust-anchor']?.value ?? '';
  const certFile = sources['cert-file']?.value ?? '';
  const keyFile = sources['key-file']?.value ?? '';
  return trustAnchor !== '' && certFile !== '' && keyFile !== '' ? { trustAnchor, certFile, keyFile } : undefined;
}

export interface PeerTlsInput {
  readonly peerName: string;
  readonly peerPath: string;
  readonly peer: TlsSources;
  readonly relationship: TlsSources;
  readonly readFile: ReadFile | undefined;
}

/**
 * The effective TLS parameters of one peer, or undefined when TLS is off for it. Files are
 * checked for readability when a reader is available (Kea loads them at this point).
 */
export function resolvePeerTls({ peerName, peerPath, peer, relationship, readFile }: PeerTlsInput): TlsConfig | undefined {
  const effective = (key: TlsKey): LocatedValue | undefined => {
    const source = peer[key] ?? relationship[key];
    return source !== undefined && source.value !== '' ? source : undefined;
  };
  if (TLS_KEYS.every((key) => effective(key) === undefined)) return undefined;

  const badTls = (detail: string) => `bad TLS config for server ${peerName}: ${detail}`;
  const required = (key: TlsKey): LocatedValue =>
    effective(key) ??
    fail(peerPath, 'tls-all-or-none', badTls(`${key} parameter is missing or empty: all or none of TLS parameters must be set`));
  const trustAnchor = required('trust-anchor');
  const certFile = required('cert-file');
  const keyFile = required('key-file');

  if (readFile !== undefined) {
    const files = [['trust-anchor', trustAnchor], ['cert-file', certFile], ['key-file', keyFile]] as const;
    for (const [key, source] of files) {
      const outcome = tryReadFile(readFile, source.value);
      if (!outcome.ok) fail(source.path, 'tls-file', badTls(`cannot read ${key} '${source.value}': ${outcome.reason}`));
    }
  }
  return { trustAnchor: trustAnchor.value, certFile: certFile.value, keyFile: keyFile.value };
}
