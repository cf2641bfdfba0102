import type { NetworkLocks } from './context.js';

/** The local DHCP service runs only while no origin holds it disabled (§11, HEAD's per-origin model). */
export const serviceEnabled = (locks: NetworkLocks): boolean =>
  !locks.user && !locks.haLocal && !locks.haRemote && !locks.syncCompleteHold;

export const NO_LOCKS: NetworkLocks = {
  user: false,
  haLocal: false,
  haRemote: false,
  syncCompleteHold: false,
  remoteMaxPeriodMs: 0,
};
