/**
 * Deliberately broken variants of the model, one per invariant: proof that the checker can fail.
 * Shell variants break the caller contract in the driver; machine variants `.provide()` the real
 * machine with a broken guard (the decisions of `decide` are reached only through the guards
 * `verdict is go` / `verdict is sync` / `verdict is recover`, so replacing them replaces a rule).
 */
import { decide, factsOf, type DecisionFacts, type HaContext, type Verdict } from '@tandem/core';
import { haMachine } from '@tandem/core';
import type { HaLogic } from './machine-host.js';

/** How the shell around the machine misbehaves; everything off is the correct shell. */
export interface DriverVariant {
  readonly name: string;
  /** Send a parked DHCP answer at once, not after the partner acknowledged the lease (contract rule 1). */
  readonly respondBeforeAck?: boolean;
  /** Report lease updates as delivered without sending them. */
  readonly skipLeaseUpdates?: boolean;
  /** Add the scopes of every `scopes.set` to those already served instead of replacing them. */
  readonly accumulateScopes?: boolean;
  /** Treat `scopes.set` with an empty list as "no change". */
  readonly ignoreEmptyScopes?: boolean;
  /**
   * Not a bug: Kea 2.2's behaviour. Its synchronisation blocks the daemon, so an `ha-heartbeat`
   * arriving during a sync is answered only when the sync has ended. The model's default shell
   * answers it from the snapshot at once, the contract as it stood when finding F2 was made;
   * tandemd now holds the answer like this variant (docs/architecture.md, rule 8).
   */
  readonly holdHeartbeatsWhileSyncing?: boolean;
  /**
   * The letter of today's contract: a `backlog.deliver` is carried out to the end even after the
   * machine left communication-recovery (an `ha-reset` arrived meanwhile). The model's shell
   * abandons it instead (docs/formal-model.md, finding F9).
   */
  readonly deliverStaleBacklog?: boolean;
}

/** The shell as Kea 2.2 behaves during a synchronisation (heartbeat answers wait for its end). */
export const KEA_22_BLOCKING_SYNC: DriverVariant = { name: 'kea-2.2-blocking-sync', holdHeartbeatsWhileSyncing: true };

export const CORRECT_SHELL: DriverVariant = { name: 'correct' };

/** A machine whose decisions are `rewrite(facts, decide(facts))`. */
export function machineWithDecision(rewrite: (facts: DecisionFacts, verdict: Verdict) => Verdict): HaLogic {
  const verdictOf = (context: HaContext): Verdict => {
    const facts = factsOf(context);
    return rewrite(facts, decide(facts));
  };
  return haMachine.provide({
    guards: {
      'verdict is go': ({ context }, params: { to: string }) => {
        const v = verdictOf(context);
        return v.kind === 'go' && v.to === params.to;
      },
      'verdict is sync': ({ context }) => verdictOf(context).kind === 'sync',
      'verdict is recover': ({ context }, params: { reset: boolean }) => {
        const v = verdictOf(context);
        return v.kind === 'recover' && v.resetPartner === params.reset;
      },
    },
  }) as HaLogic;
}

/** Invariant 4's broken variant: partner-down as soon as communication is interrupted, without the unacked-client evidence. */
export const partnerDownWithoutEvidence = (): HaLogic =>
  machineWithDecision((facts, verdict) => {
    if (!facts.interrupted || facts.partnerDown || facts.partnerState !== 'unavailable') return verdict;
    return decide({ ...facts, partnerDown: true });
  });

/** Invariant 5's broken variant: the pause is ignored; a paused machine decides as if running. */
export const pauseIgnored = (): HaLogic =>
  machineWithDecision((facts, verdict) => (facts.holdStill ? decide({ ...facts, holdStill: false }) : verdict));

/** Invariant 7's broken variant: partner-down never hands back to a ready partner. */
export const partnerDownForever = (): HaLogic =>
  machineWithDecision((facts, verdict) => (facts.state === 'partner-down' && facts.partnerState === 'ready' ? { kind: 'stay' } : verdict));

/** The brief's example: the primary tie-break of §3.7 removed — the secondary moves on from waiting and ready too. */
export const noPrimaryTieBreak = (): HaLogic =>
  machineWithDecision((facts, verdict) => {
    if (facts.holdStill || facts.config.thisServer.role === 'primary') return verdict;
    if (facts.state === 'waiting' && facts.partnerState === 'waiting') return { kind: 'go', to: facts.config.syncLeases ? 'syncing' : 'ready' };
    if (facts.state === 'ready' && facts.partnerState === 'ready') return { kind: 'go', to: facts.config.mode === 'hot-standby' ? 'hot-standby' : 'load-balancing' };
    return verdict;
  });

export const SHELL_VARIANTS = {
  /** Invariant 1: lease updates reported as delivered without being sent. */
  'skip-lease-updates': { name: 'skip-lease-updates', skipLeaseUpdates: true },
  /** Invariant 2: scopes added up instead of replaced. */
  'accumulate-scopes': { name: 'accumulate-scopes', accumulateScopes: true },
  /** Invariant 3: an empty scopes.set ignored. */
  'ignore-empty-scopes': { name: 'ignore-empty-scopes', ignoreEmptyScopes: true },
  /** Invariant 6: parked answers sent before the partner acknowledged. */
  'respond-before-ack': { name: 'respond-before-ack', respondBeforeAck: true },
} as const satisfies Record<string, DriverVariant>;

/** Today's contract taken literally: a backlog delivery runs to its end after the machine moved on (finding F9). */
export const DELIVER_STALE_BACKLOG: DriverVariant = { name: 'deliver-stale-backlog', deliverStaleBacklog: true };

/** Every shell the command line and the scripts can name. */
export const SHELLS: Readonly<Record<string, DriverVariant>> = {
  correct: CORRECT_SHELL,
  'kea-2.2-blocking-sync': KEA_22_BLOCKING_SYNC,
  'deliver-stale-backlog': DELIVER_STALE_BACKLOG,
  ...SHELL_VARIANTS,
};
