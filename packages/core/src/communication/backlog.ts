/**
 * The communication-recovery backlog (spec §10.5): lease operations held back while the
 * partner is unreachable in load-balancing mode, replayed in order once it is back. Bounded by
 * `delayed-updates-limit`; once an operation has been dropped the backlog can no longer bring
 * the partner up to date, which the sticky `overflowed` flag records (the partner must then
 * resynchronise instead).
 *
 * A plain array keeps the value easy to inspect and to embed in snapshots; a push copies it,
 * which stays cheap at the limits this is configured with (100 by default).
 */

/** `update` carries Kea's ADD (lease4-update / `leases`), `delete` its DELETE. */
export type LeaseUpdateOp = 'update' | 'delete';

export interface BacklogEntry<T> {
  readonly op: LeaseUpdateOp;
  readonly lease: T;
}

export interface LeaseUpdateBacklog<T> {
  readonly limit: number;
  readonly operations: readonly BacklogEntry<T>[];
  readonly overflowed: boolean;
}

export interface PushResult<T> {
  readonly backlog: LeaseUpdateBacklog<T>;
  readonly accepted: boolean;
}

export interface PopResult<T> {
  readonly backlog: LeaseUpdateBacklog<T>;
  /** Absent when the backlog was empty. */
  readonly entry?: BacklogEntry<T>;
}

export interface DrainResult<T> {
  readonly backlog: LeaseUpdateBacklog<T>;
  readonly entries: readonly BacklogEntry<T>[];
}

export function emptyBacklog<T>(limit: number): LeaseUpdateBacklog<T> {
  return { limit, operations: [], overflowed: false };
}

export function pushBacklog<T>(backlog: LeaseUpdateBacklog<T>, op: LeaseUpdateOp, lease: T): PushResult<T> {
  if (backlog.operations.length >= backlog.limit) {
    return { backlog: backlog.overflowed ? backlog : { ...backlog, overflowed: true }, accepted: false };
  }
  return { backlog: { ...backlog, operations: [...backlog.operations, { op, lease }] }, accepted: true };
}

/** DHCPv4 delivery: one operation at a time, oldest first. Popping never clears `overflowed`. */
export function popBacklog<T>(backlog: LeaseUpdateBacklog<T>): PopResult<T> {
  const [entry, ...rest] = backlog.operations;
  return entry === undefined ? { backlog } : { backlog: { ...backlog, operations: rest }, entry };
}

/** DHCPv6 delivery: the whole backlog in one lease6-bulk-apply. */
export function drainBacklog<T>(backlog: LeaseUpdateBacklog<T>): DrainResult<T> {
  return { backlog: { ...backlog, operations: [] }, entries: backlog.operations };
}

/** Leaving communication-recovery forgets both the operations and the overflow. */
export function clearBacklog<T>(backlog: LeaseUpdateBacklog<T>): LeaseUpdateBacklog<T> {
  return emptyBacklog(backlog.limit);
}
