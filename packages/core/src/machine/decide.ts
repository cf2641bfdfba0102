import { match } from 'ts-pattern';
import type { HaConfig, StateLabel } from '../config/types.js';
import type { PartnerState } from './context.js';

/**
 * The state handlers of spec §2 as one pure function. The machine evaluates it only at Kea's
 * evaluation points (heartbeat completion, lease-update batch completion, some commands and
 * right after every transition), never on DHCP traffic alone (§1.3, checklist §15.2).
 */
export type Verdict =
  | { readonly kind: 'stay'; readonly why?: StayReason }
  | { readonly kind: 'go'; readonly to: StateLabel }
  /** syncing: run the blocking lease synchronisation now (§2.2 step 6). */
  | { readonly kind: 'sync' }
  /** communication-recovery: deliver the backlog, or send ha-reset when it overflowed (§2.5). */
  | { readonly kind: 'recover'; readonly resetPartner: boolean };

export type StayReason = 'paused' | 'invalid-partner-state' | 'partner-terminated' | 'waiting-for-partner';

/** Everything a handler looks at, already reduced to plain facts by the machine. */
export interface DecisionFacts {
  readonly config: HaConfig;
  readonly state: StateLabel;
  readonly partnerState: PartnerState;
  /** No successful heartbeat for longer than max-response-delay (§6.3). */
  readonly interrupted: boolean;
  /** U2: interrupted and failure confirmed (§6.5). */
  readonly partnerDown: boolean;
  /** |clock skew| > 60 s, or (HEAD) too many rejected lease updates (§6.7, §6.8). */
  readonly shouldTerminate: boolean;
  readonly partnerHasNewUnsentUpdates: boolean;
  readonly backlogOverflowed: boolean;
  /** Model paused, or the previous event was a maintenance cancel. */
  readonly holdStill: boolean;
}

const STAY: Verdict = { kind: 'stay' };
const go = (to: StateLabel): Verdict => ({ kind: 'go', to });

/** The normal state of an active server in this relationship (§1.2). */
export const normalState = (config: HaConfig): StateLabel =>
  match(config.mode)
    .with('load-balancing', () => 'load-balancing' as const)
    .with('hot-standby', () => 'hot-standby' as const)
    .with('passive-backup', () => 'passive-backup' as const)
    .exhaustive();

/** §1.4: a partner state that cannot occur in a correctly configured relationship of this mode. */
export const isInvalidPartnerState = (config: HaConfig, partner: PartnerState): boolean =>
  (partner === 'communication-recovery' && config.mode !== 'load-balancing') ||
  (partner === 'hot-standby' && config.mode !== 'hot-standby') ||
  (partner === 'load-balancing' && config.mode !== 'load-balancing');

const isPrimary = (config: HaConfig): boolean => config.thisServer.role === 'primary';

const syncOrReady = (config: HaConfig): Verdict => go(config.syncLeases ? 'syncing' : 'ready');

export function decide(f: DecisionFacts): Verdict {
  const { config } = f;
  return match(f.state)
    .with('waiting', () => decideWaiting(f))
    .with('syncing', () => {
      if (f.holdStill) return { kind: 'stay', why: 'paused' } as const;
      if (f.shouldTerminate) return go('terminated');
      if (isInvalidPartnerState(config, f.partnerState)) return go('waiting');
      return match(f.partnerState)
        .with('terminated', () => go('terminated'))
        .with('unavailable', () => (f.partnerDown ? go('partner-down') : STAY))
        .with('unknown', () => STAY)
        .otherwise((): Verdict => ({ kind: 'sync' }));
    })
    .with('ready', () => {
      if (f.holdStill) return { kind: 'stay', why: 'paused' } as const;
      if (f.shouldTerminate) return go('terminated');
      if (isInvalidPartnerState(config, f.partnerState)) return go('waiting');
      return match(f.partnerState)
        .with('hot-standby', 'load-balancing', 'communication-recovery', () => go(normalState(config)))
        .with('in-maintenance', () => go('partner-in-maintenance'))
        .with('partner-in-maintenance', () => go('in-maintenance'))
        .with('ready', () => (isPrimary(config) ? go(normalState(config)) : STAY))
        .with('terminated', () => go('terminated'))
        .with('unavailable', () => (f.partnerDown ? go('partner-down') : STAY))
        .otherwise(() => STAY);
    })
    .with('load-balancing', 'hot-standby', () => {
      if (f.holdStill) return { kind: 'stay', why: 'paused' } as const;
      if (f.shouldTerminate) return go('terminated');
      if (isInvalidPartnerState(config, f.partnerState)) return go('waiting');
      return match(f.partnerState)
        .with('in-maintenance', () => go('partner-in-maintenance'))
        .with('partner-down', () => go('waiting'))
        .with('partner-in-maintenance', () => go('in-maintenance'))
        .with('terminated', () => go('terminated'))
        .with('unavailable', () => {
          if (f.partnerDown) return go('partner-down');
          // Kea enters communication-recovery already at U0 (§2.4).
          if (config.mode === 'load-balancing' && config.delayedUpdatesLimit > 0) return go('communication-recovery');
          return STAY;
        })
        .otherwise(() => STAY);
    })
    .with('communication-recovery', () => {
      if (f.holdStill) return { kind: 'stay', why: 'paused' } as const;
      if (f.shouldTerminate) return go('terminated');
      if (isInvalidPartnerState(config, f.partnerState)) return go('waiting');
      return match(f.partnerState)
        .with('in-maintenance', () => go('partner-in-maintenance'))
        .with('partner-down', () => go('waiting'))
        .with('partner-in-maintenance', () => go('in-maintenance'))
        .with('terminated', () => go('terminated'))
        .with('unavailable', () => (f.partnerDown ? go('partner-down') : STAY))
        // The partner is already resynchronising: no ha-reset, only fall back when our backlog is lost.
        .with('waiting', 'syncing', 'ready', () =>
          !f.interrupted && f.backlogOverflowed ? go('waiting') : { kind: 'stay', why: 'waiting-for-partner' } as const,
        )
        .otherwise((partner): Verdict => {
          if (f.interrupted) return STAY;
          if (partner === 'load-balancing' || partner === 'communication-recovery') {
            return { kind: 'recover', resetPartner: f.backlogOverflowed };
          }
          return go('waiting');
        });
    })
    .with('partner-down', () => {
      if (f.holdStill) return { kind: 'stay', why: 'paused' } as const;
      if (f.shouldTerminate) return go('terminated');
      if (isInvalidPartnerState(config, f.partnerState)) return go('waiting');
      return match(f.partnerState)
        .with('communication-recovery', 'partner-down', 'partner-in-maintenance', () => go('waiting'))
        .with('ready', () => (f.partnerHasNewUnsentUpdates ? go('waiting') : go(normalState(config))))
        .with('terminated', () => go('terminated'))
        .otherwise(() => STAY);
    })
    .with('partner-in-maintenance', () => {
      // A maintenance cancel is not a reason to hold still here (§2.7 step 1): only the pause is.
      if (f.holdStill) return { kind: 'stay', why: 'paused' } as const;
      if (f.shouldTerminate) return go('terminated');
      return f.partnerState === 'unavailable' ? go('partner-down') : STAY;
    })
    .with('in-maintenance', 'terminated', 'passive-backup', 'backup', () => STAY)
    .exhaustive();
}

function decideWaiting(f: DecisionFacts): Verdict {
  const { config } = f;
  if (f.holdStill) return { kind: 'stay', why: 'paused' };
  if (config.thisServer.role === 'backup') return go('backup');
  if (config.mode === 'passive-backup') return go('passive-backup');
  if (f.shouldTerminate) return go('terminated');
  if (isInvalidPartnerState(config, f.partnerState)) return { kind: 'stay', why: 'invalid-partner-state' };
  return match(f.partnerState)
    .with(
      'communication-recovery',
      'hot-standby',
      'load-balancing',
      'in-maintenance',
      'partner-down',
      'partner-in-maintenance',
      'ready',
      () => syncOrReady(config),
    )
    .with('syncing', () => ({ kind: 'stay', why: 'waiting-for-partner' }) as const)
    .with('terminated', () => ({ kind: 'stay', why: 'partner-terminated' }) as const)
    // Concurrent start-up: the primary goes first (§3.7).
    .with('waiting', () => (isPrimary(config) ? syncOrReady(config) : ({ kind: 'stay', why: 'waiting-for-partner' } as const)))
    .with('unavailable', () => (f.partnerDown ? go('partner-down') : STAY))
    .with('unknown', 'backup', 'passive-backup', () => STAY)
    .exhaustive();
}
