import type { Lease4Record } from '../wire/lease4.js';

export type SyncMergeAction = 'insert' | 'overwrite' | 'keep';

/**
 * §9 step 4: a received lease is inserted when we have none for its address, replaces ours only
 * when ours is strictly older (cltt), and is otherwise ignored. Local leases are never deleted.
 */
export function syncMergeAction(local: Lease4Record | undefined, received: Lease4Record): SyncMergeAction {
  if (local === undefined) return 'insert';
  return local.clttS < received.clttS ? 'overwrite' : 'keep';
}
