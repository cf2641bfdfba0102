import { describe, expect, it } from 'vitest';
import { Cluster } from '../src/cluster.js';
import { loadBalancingPair } from '../src/cluster-spec.js';
import { DEFAULT_POPULATION } from '../src/clients.js';
import { InvariantChecker } from '../src/invariants.js';
import { CLEAN_CONTROL_LINK } from '../src/network.js';
import { silentTrace } from '../src/trace.js';
import { CORRECT_SHELL, DELIVER_STALE_BACKLOG, type DriverVariant } from '../src/variants.js';

/**
 * Findings about the caller contract rather than the machine (docs/formal-model.md F9, F10): the
 * same run with the model's shell and with the shell the finding is about.
 */

/**
 * Two servers in load-balancing with releasing clients are partitioned for 40 s (both go to
 * communication-recovery and queue deletes and updates); after the heal the control channel is
 * slow, and while server1 is delivering its backlog an operator sends it ha-reset.
 */
function resetDuringDelivery(seed: number, variant: DriverVariant, ordered: boolean): string[] {
  const spec = loadBalancingPair({ validLifetimeS: 60, poolSize: 24 });
  const cluster = new Cluster({ spec, seed, variant, clients: { ...DEFAULT_POPULATION, releaseProbability: 0.5 }, clientsBootAtMs: 10_000, trace: silentTrace() });
  const checker = new InvariantChecker(spec, { only: new Set(['I6-acked-lease-on-partner']) });
  const found: string[] = [];
  cluster.start('server1');
  cluster.start('server2');
  cluster.runUntil(200_000);
  cluster.partition('server1', 'server2');
  cluster.runUntil(240_000);
  cluster.setLinks({ ...CLEAN_CONTROL_LINK, minDelayMs: 300, maxDelayMs: 400, ordered });
  cluster.heal();
  const delivering = (): boolean => JSON.stringify(cluster.peer('server1').snapshot?.value).includes('delivering');
  while (!delivering() && cluster.nowMs < 300_000) cluster.step();
  expect(delivering()).toBe(true);
  cluster.admin('server1', (nowMs, requestId) => ({ type: 'command.ha-reset', nowMs, requestId }));
  while (cluster.nowMs < 600_000 && cluster.step()) for (const v of checker.check(cluster)) found.push(v.detail);
  return found;
}

describe('findings about the caller contract', () => {
  it('F9: a backlog delivery carried on after ha-reset deletes, on the partner, a lease handed out after the resync', () => {
    expect(resetDuringDelivery(6, DELIVER_STALE_BACKLOG, true)).toEqual([expect.stringMatching(/acknowledged by server1 in load-balancing, is missing on server2/)]);
    expect(resetDuringDelivery(6, CORRECT_SHELL, true)).toEqual([]);
  });

  it('F10: lease updates that overtake each other (one connection per request) let a release delete the next client’s lease on the partner', () => {
    expect(resetDuringDelivery(2, CORRECT_SHELL, false)).toEqual([expect.stringMatching(/acknowledged by server1 in load-balancing, is missing on server2/)]);
    expect(resetDuringDelivery(2, CORRECT_SHELL, true)).toEqual([]);
  });
});
