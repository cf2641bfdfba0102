import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsUnavailable } from '../harness/netns.js';
import { MixedPair, bulkLeases, sleep } from '../interop/support/mixed-pair.js';
import type { RelationshipSpec } from '../interop/support/pair-config.js';

const noNetns = netnsUnavailable();
if (noNetns !== undefined) console.warn(`skipping the heartbeat-during-sync test: ${noNetns}`);

/**
 * Finding F2 (docs/formal-model.md): Kea 2.2 synchronises blocking, so an `ha-heartbeat` that arrives
 * during the syncing state's synchronisation is answered when it has ended — a partner never hears
 * `syncing`, nor an unsent-update-count it would later take as old news. tandemd holds the answer the
 * same way.
 */
const PRELOADED = 12_000;

interface Poll {
  readonly sentMs: number;
  readonly answeredMs: number;
  readonly state: string | undefined;
}

/** `"time"` of the first log line with this msgId. */
const loggedAt = (log: string, msgId: string): number => {
  const line = log.split('\n').find((l) => l.includes(`"msgId":"${msgId}"`));
  if (line === undefined) throw new Error(`no ${msgId} in the log`);
  return (JSON.parse(line) as { time: number }).time;
};

describe.skipIf(noNetns !== undefined)('ha-heartbeat while the syncing state synchronises (two tandemd, load-balancing)', () => {
  const spec: RelationshipSpec = {
    mode: 'load-balancing',
    peers: [
      { name: 'server1', role: 'primary', impl: 'tandem', octet: 11 },
      { name: 'server2', role: 'secondary', impl: 'tandem', octet: 12 },
    ],
    // Small pages make the sync long enough to poll into; a long max-response-delay keeps the
    // partner, whose own heartbeats are held too, from declaring this server down meanwhile.
    syncPageLimit: 500,
    timers: { maxResponseDelayMs: 20_000 },
  };
  let pair: MixedPair | undefined;

  beforeAll(() => {
    pair = MixedPair.create('hbsy', spec);
  });
  afterAll(async () => {
    await pair?.destroy();
  });

  it('F2 §9 a heartbeat asked during the sync is answered after it, never with "syncing"; the pair still reaches load-balancing', async () => {
    pair!.preloadLeases('server2', bulkLeases('198.18.64.0', PRELOADED, '0a:06:00'));
    const polls: Poll[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const sentMs = Date.now();
        const state = await pair!.state('server1');
        polls.push({ sentMs, answeredMs: Date.now(), state });
        await sleep(20);
      }
    })();
    try {
      await pair!.start();
      await pair!.waitForStates({ server1: 'load-balancing', server2: 'load-balancing' }, 90_000);
    } finally {
      polling = false;
      await poller;
    }
    const log = pair!.output('server1');
    const syncStart = loggedAt(log, 'HA_SYNC_START');
    const syncEnd = loggedAt(log, 'HA_SYNC_SUCCESSFUL');
    // Polls overlapping the sync (one is always in flight, 20 ms apart): none heard "syncing", and the
    // one that reached the server during the sync was answered only after it ended, with its outcome.
    const overlapping = polls.filter((p) => p.answeredMs > syncStart && p.sentMs < syncEnd);
    expect(polls.filter((p) => p.state === 'syncing')).toEqual([]);
    expect(overlapping.filter((p) => p.answeredMs >= syncEnd && (p.state === 'ready' || p.state === 'load-balancing')).length).toBeGreaterThan(0);
    expect((await pair!.leases('server1')).size).toBe(PRELOADED);
  });
});
