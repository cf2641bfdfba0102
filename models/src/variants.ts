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
}

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
