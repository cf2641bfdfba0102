/**
 * The `high-availability` entry HA adds to the daemon's `status-get` answer (spec §8.15).
 * Kea 2.2's field names always; HEAD's `server-name`, `system-time` and `clock-skew` only
 * in HEAD compatibility (a 2.2 reader ignores them, spec §14 IO-15).
 */

import type { HaMode, KeaCompat, PeerRole, StateLabel } from '../config/types.js';
import { formatStatusTime } from './date-time.js';
import { compareCodePoints } from './kea-json.js';

export interface HaStatusLocal {
  readonly role: PeerRole;
  readonly scopes: readonly string[];
  readonly state: StateLabel;
  readonly serverName: string;
  /** HEAD: our clock when the clock skew was last measured; `null` before the first measurement. */
  readonly systemTimeMs?: number | null;
}

export interface HaStatusRemote {
  readonly role: PeerRole;
  /** Seconds since the last successful heartbeat; reported as 0 while not in touch, as Kea does. */
  readonly ageS: number;
  /** A partner state has ever been recorded — a failed heartbeat records `unavailable`, which counts. */
  readonly inTouch: boolean;
  readonly lastScopes: readonly string[];
  /** `''` before the first heartbeat completed. */
  readonly lastState: StateLabel | 'unavailable' | '';
  readonly communicationInterrupted: boolean;
  readonly connectingClients: number;
  readonly unackedClients: number;
  readonly unackedClientsLeft: number;
  readonly analyzedPackets: number;
  readonly serverName: string;
  /** HEAD: the partner's clock at the last skew measurement; `null` before the first one. */
  readonly systemTimeMs?: number | null;
  /** HEAD: partner minus local, seconds; `null` before the first measurement. */
  readonly clockSkewS?: number | null;
}

export interface HaStatusInput {
  readonly mode: HaMode;
  readonly local: HaStatusLocal;
  /** Ignored on a backup server and in passive-backup mode, which have no partner to report. */
  readonly remote?: HaStatusRemote;
}

const sortedSet = (names: readonly string[]): string[] => [...new Set(names)].sort(compareCodePoints);

const statusTime = (epochMs: number | null | undefined): string | null =>
  epochMs === null || epochMs === undefined ? null : formatStatusTime(epochMs);

/** One element of status-get's `high-availability` list (HB-07, HB-08, HB-10). */
export function buildHaStatus(input: HaStatusInput, compat: KeaCompat): Record<string, unknown> {
  const head = compat === 'head';
  const local = {
    role: input.local.role,
    scopes: sortedSet(input.local.scopes),
    state: input.local.state,
    ...(head ? { 'server-name': input.local.serverName, 'system-time': statusTime(input.local.systemTimeMs) } : {}),
  };
  const hasPartner = input.mode !== 'passive-backup' && input.local.role !== 'backup';
  const remote = hasPartner && input.remote !== undefined ? remoteStatus(input.remote, head) : undefined;
  return {
    'ha-mode': input.mode,
    'ha-servers': { local, ...(remote === undefined ? {} : { remote }) },
  };
}

function remoteStatus(remote: HaStatusRemote, head: boolean): Record<string, unknown> {
  return {
    role: remote.role,
    age: remote.inTouch ? remote.ageS : 0,
    'in-touch': remote.inTouch,
    'last-scopes': sortedSet(remote.lastScopes),
    'last-state': remote.lastState,
    'communication-interrupted': remote.communicationInterrupted,
    'connecting-clients': remote.connectingClients,
    'unacked-clients': remote.unackedClients,
    'unacked-clients-left': remote.unackedClientsLeft,
    'analyzed-packets': remote.analyzedPackets,
    ...(head
      ? {
          'server-name': remote.serverName,
          'system-time': statusTime(remote.systemTimeMs),
          'clock-skew': remote.clockSkewS ?? null,
        }
      : {}),
  };
}
