/**
 * What happens to the lease changes of one DHCP query with respect to one other peer
 * (spec §10.2, §10.3, §6.6):
 *
 * - `send-and-wait`: send, and hold the client's answer until the peer acknowledged;
 * - `send`: send without holding the answer (backups, unless wait-backup-ack);
 * - `queue`: append to the communication-recovery backlog (§10.5);
 * - `skip-unsent`: do not send, and count one unsent update batch for the partner to notice;
 * - `skip`: do nothing at all.
 */
import { match } from 'ts-pattern';
import type { HaConfig, PeerConfig, StateLabel } from '../config/types.js';

export type LeaseUpdateDecision = 'send-and-wait' | 'send' | 'queue' | 'skip-unsent' | 'skip';

export function leaseUpdateDecision(config: HaConfig, myState: StateLabel, peer: PeerConfig): LeaseUpdateDecision {
  if (peer.name === config.thisServerName) {
    throw new Error(`lease updates are never addressed to this server itself ('${peer.name}')`);
  }
  // With send-lease-updates off Kea leaves the whole callout early: no sending, no queueing,
  // and no unsent count either.
  if (!config.sendLeaseUpdates) return 'skip';
  const toBackup = peer.role === 'backup';
  if (myState === 'communication-recovery' && !toBackup) return 'queue';
  // Backups get every update in every state, even from a server that is a backup itself;
  // the parser allows wait-backup-ack only in passive-backup mode.
  if (toBackup) return config.waitBackupAck ? 'send-and-wait' : 'send';
  // An active peer that is not sent to learns about it through the unsent count, including
  // when this server is a backup made to allocate: Kea counts that batch too (§10.2 step 3).
  if (config.thisServer.role === 'backup') return 'skip-unsent';
  return sendsToActivePartner(myState) ? 'send-and-wait' : 'skip-unsent';
}

/** The peers a query's lease changes are considered for: everybody but this server, in config order. */
export function leaseUpdatePeers(config: HaConfig): readonly PeerConfig[] {
  return config.peers.filter((peer) => peer.name !== config.thisServerName);
}

function sendsToActivePartner(state: StateLabel): boolean {
  return match(state)
    .with('load-balancing', 'hot-standby', 'partner-in-maintenance', () => true)
    .with(
      'backup',
      'communication-recovery',
      'in-maintenance',
      'partner-down',
      'passive-backup',
      'ready',
      'syncing',
      'terminated',
      'waiting',
      () => false,
    )
    .exhaustive();
}
