import type { Lease4 } from '@tandem/leases';
import type { JsonMap } from './json.js';
import { CommandArgumentError as ArgumentError } from './argument-error.js';

/** A lease in Kea's lease_cmds JSON form (`Lease4::toElement`): with `cltt`, without `expire`. */
export const lease4ToJson = (lease: Lease4): JsonMap => ({
  'ip-address': lease.address,
  'subnet-id': lease.subnetId,
  'hw-address': lease.hwAddress,
  ...(lease.clientId !== undefined ? { 'client-id': lease.clientId } : {}),
  cltt: lease.cltt,
  'valid-lft': lease.validLifetime,
  'fqdn-fwd': lease.fqdnFwd,
  'fqdn-rev': lease.fqdnRev,
  hostname: lease.hostname,
  state: lease.state,
  ...(lease.userContext !== undefined ? { 'user-context': lease.userContext as JsonMap } : {}),
});

export type Lease4Arguments =
  | { readonly kind: 'lease'; readonly lease: Lease4; readonly forceCreate: boolean }
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * Kea's hardware and client-id text forms: bytes of one or two hex digits separated by colons, or
 * a bare run of hex digit pairs. Returned as lowercase two-digit colon hex.
 */
export const normaliseHexIdentifier = (text: string, what: string): string => {
  if (text === '') return '';
  const bytes = text.includes(':') ? text.split(':') : text.match(/.{1,2}/g) ?? [];
  if (!text.includes(':') && text.length % 2 !== 0) throw new ArgumentError(`invalid format of the decoded string '${text}' for ${what}`);
  const out: string[] = [];
  for (const byte of bytes) {
    if (!/^[0-9a-fA-F]{1,2}$/.test(byte)) throw new ArgumentError(`invalid format of the decoded string '${text}' for ${what}`);
    out.push(byte.toLowerCase().padStart(2, '0'));
  }
  return out.join(':');
};

