import { describe, expect, it } from 'vitest';
import type { InvariantId } from '../src/invariants.js';
import type { HaLogic } from '../src/machine-host.js';
import { runScenario } from '../src/scenario.js';
import { partnerDownForever, partnerDownWithoutEvidence, pauseIgnored, SHELL_VARIANTS, type DriverVariant } from '../src/variants.js';

/**
 * Every invariant has a deliberately broken variant of the model that the checker must catch,
 * and the same script on the real machine and the correct shell must not trip it: proof that
 * the checker can fail, and fails for the right reason.
 */
interface Case {
  readonly invariant: InvariantId;
  readonly broken: { readonly logic?: HaLogic; readonly variant?: DriverVariant };
  readonly why: string;
  readonly script: string;
}

const cases: readonly Case[] = [
  {
    invariant: 'I1-no-double-lease',
    broken: { variant: SHELL_VARIANTS['skip-lease-updates'] },
    why: 'a shell that reports lease updates delivered without sending them: the survivor of a crash hands out addresses its partner leased',
    script: `cluster load-balancing clients=30 clients-from=20s lease=120s pool=16 release=0.2
start server1 server2
run-until 240s
kill server1
tick 900s`,
  },
  {
    invariant: 'I2-one-server-per-scope',
    broken: { variant: SHELL_VARIANTS['accumulate-scopes'] },
    why: 'a shell that adds up scopes: after partner-down both scopes stay served next to the partner back in load-balancing',
    script: `cluster load-balancing clients=30 clients-from=20s
start server1 server2
run-until 200s
kill server2
wait-for server1 partner-down within 400s
restart server2
tick 120s`,
  },
  {
    invariant: 'I3-idle-serves-nothing',
    broken: { variant: SHELL_VARIANTS['ignore-empty-scopes'] },
    why: 'a shell that ignores an empty scopes.set keeps serving in waiting after ha-reset',
    script: `cluster load-balancing
start server1 server2
run-until 60s
admin server2 ha-reset
tick 1s`,
  },
  {
    invariant: 'I4-partner-down-justified',
    broken: { logic: partnerDownWithoutEvidence() },
    why: 'a machine that takes partner-down on the interruption alone, without more than max-unacked-clients unacked clients (LB, DHCP on)',
    script: `cluster load-balancing clients=4 clients-from=20s
start server1 server2
run-until 100s
kill server2
tick 200s`,
  },
  {
    invariant: 'I5-pause-and-terminated',
    broken: { logic: pauseIgnored() },
    why: 'a machine that decides while paused leaves waiting without ha-continue',
    script: `cluster load-balancing pause-waiting=always
start server1 server2
tick 60s`,
  },
  {
    invariant: 'I6-acked-lease-on-partner',
    broken: { variant: SHELL_VARIANTS['respond-before-ack'] },
    why: 'a shell that answers the client before the partner acknowledged: an update lost in a short outage leaves the partner without the lease',
    script: `cluster load-balancing clients=30 clients-from=20s lease=60s
start server1 server2
run-until 200s
partition server1 server2
tick 15s
heal
tick 300s`,
  },
  {
    invariant: 'I7-liveness',
    broken: { logic: partnerDownForever() },
    why: 'a machine that never leaves partner-down for a ready partner',
    script: `cluster load-balancing clients=30 clients-from=20s
start server1 server2
run-until 200s
kill server2
wait-for server1 partner-down within 400s
restart server2
quiet
tick 400s`,
  },
];

const violated = (script: string, options: Parameters<typeof runScenario>[1], invariant: InvariantId): boolean =>
  runScenario(script, options).violations.some((v) => v.invariant === invariant);

describe('each invariant catches its deliberately broken variant', () => {
  for (const c of cases) {
    it(`${c.invariant}: ${c.why}`, () => {
      expect(violated(c.script, {}, c.invariant)).toBe(false);
      expect(violated(c.script, c.broken, c.invariant)).toBe(true);
    });
  }
});
