import { parseIpv4 } from './ipv4.js';
import { describeLeaseProblem } from './lease-validation.js';
import type { Lease4 } from './lease.js';

/** Argument checks every store shares, so each refuses bad input with the same operator message. */

export const requireAddress = (text: string, what: string): number => {
  const address = typeof text === 'string' ? parseIpv4(text) : undefined;
  if (address === undefined) {
    throw new TypeError(`${what}: ${JSON.stringify(text)} is not a dotted-quad IPv4 address`);
  }
  return address;
};

export const requireValidLease = (lease: Lease4): number => {
  const problem = describeLeaseProblem(lease);
  if (problem !== undefined) throw new TypeError(problem);
  return parseIpv4(lease.address)!;
};

/** Kea's LeasePageSize refuses 0 and anything above uint32; so does every store. */
export const requirePageLimit = (limit: number): void => {
  if (!Number.isInteger(limit) || limit < 1 || limit > 0xffff_ffff) {
    throw new RangeError(`lease page limit ${String(limit)} must be an integer from 1 to 4294967295`);
  }
};

export const requireExpiredQuery = (nowS: number, limit: number): void => {
  if (typeof nowS !== 'number' || Number.isNaN(nowS)) {
    throw new TypeError(`expired leases query: now ${String(nowS)} is not a number of Unix seconds`);
  }
  if (!Number.isInteger(limit) || limit < 0) {
    throw new RangeError(`expired leases query: limit ${String(limit)} must be a non-negative integer (0: no limit)`);
  }
};
