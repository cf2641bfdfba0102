import { createActor, SimulatedClock, type ActorOptions, type AnyActorLogic } from 'xstate';
import { haMachine, parseHaConfigOrThrow, type HaEffect } from '../src/index.js';

/**
 * A load-balancing primary driven through a short life (start-up, sync, normal operation, partner
 * failure, partner-down, recovery) by a scripted partner, for watching in the Stately inspector.
 * Time is simulated; `pauseMs` only slows the script down so a person can follow it.
 */
export const DEMO_CONFIG = {
  'high-availability': [
    {
      'this-server-name': 'server1',
      mode: 'load-balancing',
      'heartbeat-delay': 10000,
      'max-response-delay': 60000,
      'max-ack-delay': 5000,
      'max-unacked-clients': 0,
      peers: [
        { name: 'server1', url: 'http://127.0.0.1:8001/', role: 'primary' },
        { name: 'server2', url: 'http://127.0.0.1:8002/', role: 'secondary' },
      ],
    },
  ],
};

export async function runInspectedScenario(
  inspect: ActorOptions<AnyActorLogic>['inspect'],
  opts: { pauseMs: number; onStep?: (line: string) => void } = { pauseMs: 0 },
): Promise<string[]> {
  const config = parseHaConfigOrThrow(DEMO_CONFIG);
  const clock = new SimulatedClock();
  let nowMs = Date.UTC(2026, 10, 22, 8, 0, 0);
  const actor = createActor(haMachine, { input: { config, nowMs }, clock, inspect });
  const timeline: string[] = [];
  actor.on('state.changed', (e: Extract<HaEffect, { type: 'state.changed' }>) => {
    const line = `${new Date(nowMs).toISOString()} server1 ${e.from} → ${e.to}`;
    timeline.push(line);
    opts.onStep?.(line);
  });
  actor.start();
  const pause = () => new Promise((resolve) => setTimeout(resolve, opts.pauseMs));
  const tick = (ms: number) => {
    nowMs += ms;
    clock.increment(ms);
  };
  const heartbeat = (state: 'waiting' | 'syncing' | 'ready' | 'load-balancing' | 'partner-down') => {
    tick(10_000);
    actor.send({ type: 'heartbeat.succeeded', nowMs, partner: { state, dateTimeS: Math.floor(nowMs / 1000), unsentUpdateCount: 0 } });
  };
  const failure = () => {
    tick(10_000);
    actor.send({ type: 'heartbeat.failed', nowMs, reason: 'Connection refused' });
  };

  heartbeat('waiting');
  await pause();
  actor.send({ type: 'sync.succeeded', nowMs, leases: 0 });
  await pause();
  heartbeat('ready');
  await pause();
  heartbeat('load-balancing');
  await pause();
  for (let i = 0; i < 8; i++) {
    failure();
    await pause();
  }
  heartbeat('waiting');
  await pause();
  heartbeat('syncing');
  await pause();
  heartbeat('ready');
  await pause();
  heartbeat('load-balancing');
  actor.stop();
  return timeline;
}
