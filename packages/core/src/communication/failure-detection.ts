/**
 * Failure detection from DHCP traffic (spec §6.4, §6.5): while heartbeats fail, the queries
 * that belong to the partner show whether the partner still answers. A client that keeps
 * retrying longer than `max-ack-delay` is "unacked"; more unacked clients than
 * `max-unacked-clients` confirm the partner is down.
 *
 * The caller analyses a query only when it is of a load-balanced type, out of this server's
 * scopes, and communication is interrupted; it resets the bookkeeping (emptyUnackedClients)
 * on every successful heartbeat.
 */
import type { HaMode, PeerRole } from '../config/types.js';
import { pearsonHash } from '../scopes/pearson.js';

const BUCKET_COUNT = 256;

/**
 * Immutable, but cheap to extend during an outage storm: clients are spread over 256 buckets
 * by the Pearson hash of their identifier, and recording a client copies one bucket and the
 * bucket array rather than the whole population. A repeated packet from a known client copies
 * nothing. Buckets are shared between versions and never mutated.
 */
export interface UnackedClients {
  readonly analyzedPackets: number;
  /** Distinct clients seen (status-get `connecting-clients`). */
  readonly connectingClients: number;
  readonly unackedClients: number;
  /** Client key → unacked; see clientKey4/clientKey6. */
  readonly buckets: readonly ReadonlyMap<string, boolean>[];
}

export interface Query4Timing {
  /** The BOOTP `secs` header field, 0..65535. */
  readonly secs: number;
  /** chaddr truncated to hlen. */
  readonly chaddr: Uint8Array;
  /** Option 61 payload, type byte included. */
  readonly clientId?: Uint8Array;
}

export interface Query6Timing {
  /** Elapsed Time option value, hundredths of a second; absent when the option is. */
  readonly elapsedCentis?: number;
  /** Client Identifier option payload. */
  readonly duid?: Uint8Array;
}

export interface PartnerDownInput {
  readonly interrupted: boolean;
  readonly dhcpEnabled: boolean;
  readonly mode: HaMode;
  /** This server's role. */
  readonly role: PeerRole;
  readonly unacked: UnackedClients;
  readonly maxUnackedClients: number;
}

const EMPTY_BUCKET: ReadonlyMap<string, boolean> = new Map();

const EMPTY: UnackedClients = Object.freeze({
  analyzedPackets: 0,
  connectingClients: 0,
  unackedClients: 0,
  buckets: Object.freeze(new Array<ReadonlyMap<string, boolean>>(BUCKET_COUNT).fill(EMPTY_BUCKET)),
});

export function emptyUnackedClients(): UnackedClients {
  return EMPTY;
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function hex(bytes: Uint8Array | undefined): string {
  if (bytes === undefined) return '';
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += HEX[bytes[i] as number];
  return text;
}

/**
 * A DHCPv4 client is its hardware address plus its client identifier: the same MAC with a
 * different (or newly present) client-id is another client. Absent and empty client-id are
 * the same, as in Kea.
 */
export function clientKey4(chaddr: Uint8Array, clientId?: Uint8Array): string {
  return `${hex(chaddr)}/${hex(clientId)}`;
}

export function clientKey6(duid: Uint8Array): string {
  return hex(duid);
}

/**
 * Some clients send `secs` byte-swapped; a value above 255 whose low byte is zero is taken to
 * be one of those, so 0x0500 means 5 s, while 0x0501 really is 1281 s.
 */
export function effectiveSecs(secs: number): number {
  const value = secs & 0xffff;
  return value > 255 && (value & 0xff) === 0 ? value >> 8 : value;
}

export function analyzeQuery4(state: UnackedClients, q: Query4Timing, maxAckDelayMs: number): UnackedClients {
  const unacked = effectiveSecs(q.secs) * 1000 > maxAckDelayMs;
  const bucket = pearsonHash(q.chaddr) ^ (q.clientId === undefined ? 0 : pearsonHash(q.clientId));
  return record(state, bucket, clientKey4(q.chaddr, q.clientId), unacked);
}

/** A message without a DUID is counted as analysed but cannot be attributed to a client. */
export function analyzeQuery6(state: UnackedClients, q: Query6Timing, maxAckDelayMs: number): UnackedClients {
  if (q.duid === undefined || q.duid.length === 0) return { ...state, analyzedPackets: state.analyzedPackets + 1 };
  const unacked = q.elapsedCentis !== undefined && q.elapsedCentis * 10 > maxAckDelayMs;
  return record(state, pearsonHash(q.duid), clientKey6(q.duid), unacked);
}

/** A known client is upgraded to unacked by a later slow packet; an unacked client never goes back. */
function record(state: UnackedClients, bucketIndex: number, key: string, unacked: boolean): UnackedClients {
  const analyzedPackets = state.analyzedPackets + 1;
  const bucket = state.buckets[bucketIndex] as ReadonlyMap<string, boolean>;
  const known = bucket.get(key);
  if (known === true || (known === false && !unacked)) return { ...state, analyzedPackets };
  const buckets = state.buckets.slice();
  buckets[bucketIndex] = new Map(bucket).set(key, unacked);
  return {
    analyzedPackets,
    connectingClients: state.connectingClients + (known === undefined ? 1 : 0),
    unackedClients: state.unackedClients + (unacked ? 1 : 0),
    buckets,
  };
}

/** Strictly more than the maximum; a maximum of 0 disables the analysis and assumes failure. */
export function failureDetected(state: UnackedClients, maxUnackedClients: number): boolean {
  return maxUnackedClients === 0 || state.unackedClients > maxUnackedClients;
}

/** status-get `unacked-clients-left`: how many more unacked clients confirm the failure. */
export function unackedClientsLeft(state: UnackedClients, maxUnackedClients: number, interrupted: boolean): number {
  return interrupted && maxUnackedClients >= state.unackedClients ? maxUnackedClients - state.unackedClients + 1 : 0;
}

/**
 * U2 of §2. Traffic can only be judged where this server sees the partner's clients: with its
 * DHCP service running and the partner meant to answer part (LB) or all (HS standby watching
 * the primary) of the traffic. An HS primary, or a server with DHCP disabled, has no such
 * evidence and trusts the interrupted heartbeats alone.
 */
export function partnerShouldBeDown(input: PartnerDownInput): boolean {
  if (!input.interrupted) return false;
  if (input.dhcpEnabled && (input.mode === 'load-balancing' || input.role === 'standby')) {
    return failureDetected(input.unacked, input.maxUnackedClients);
  }
  return true;
}
