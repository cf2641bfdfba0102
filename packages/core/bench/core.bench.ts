import { createActor, initialTransition, SimulatedClock, transition } from 'xstate';
import { classifyQuery4, haMachine, parseHaConfigOrThrow, pearsonHash, queryFilterFor, type HaEvent } from '../src/index.js';

/**
 * Figures for @tandem/core, each printed beside a reference measured in the same run, so the
 * ratio means something on a shared, noisy machine. Not a test: nothing here asserts a time.
 */
const DOC = {
  Dhcp4: {
    'hooks-libraries': [
      { library: '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so' },
      {
        library: '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_ha.so',
        parameters: {
          'high-availability': [
            {
              'this-server-name': 'server1',
              mode: 'load-balancing',
              'heartbeat-delay': 10000,
              'max-response-delay': 60000,
              'max-ack-delay': 10000,
              'max-unacked-clients': 10,
              peers: [
                { name: 'server1', url: 'http://127.0.0.1:8001/', role: 'primary', 'auto-failover': true },
                { name: 'server2', url: 'http://127.0.0.1:8002/', role: 'secondary', 'auto-failover': true },
                { name: 'server3', url: 'http://127.0.0.1:8003/', role: 'backup' },
              ],
            },
          ],
        },
      },
    ],
  },
};

function measure(name: string, iterations: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(iterations, 10_000); i++) fn(i); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn(i);
  const ns = Number(process.hrtime.bigint() - start);
  const perSecond = (iterations / ns) * 1e9;
  console.log(`${name.padEnd(58)} ${perSecond.toFixed(0).padStart(12)} /s   ${(ns / iterations).toFixed(1).padStart(9)} ns/op`);
  return perSecond;
}

const text = JSON.stringify(DOC);
const config = parseHaConfigOrThrow(DOC);

console.log('@tandem/core benchmark (node', process.version + ')');
console.log('\n# config');
const parses = measure('parseHaConfig (whole Kea Dhcp4 document, from text)', 20_000, () => parseHaConfigOrThrow(JSON.parse(text)));
const jsonOnly = measure('reference: JSON.parse of the same text', 20_000, () => JSON.parse(text));
console.log(`parse cost = ${(jsonOnly / parses).toFixed(1)}× a JSON.parse`);

console.log('\n# load balancing');
const keys = Array.from({ length: 1024 }, (_, i) => Uint8Array.of(0x08, 0x00, 0x27, (i >> 8) & 0xff, i & 0xff, (i * 7) & 0xff));
let sink = 0;
const hashes = measure('pearsonHash (6-byte MAC)', 5_000_000, (i) => {
  sink ^= pearsonHash(keys[i & 1023] as Uint8Array);
});
const xorRef = measure('reference: XOR-fold of the same 6 bytes', 5_000_000, (i) => {
  const k = keys[i & 1023] as Uint8Array;
  let h = 0;
  for (let j = k.length - 1; j >= 0; j--) h ^= k[j] as number;
  sink ^= h;
});
console.log(`hash cost = ${(xorRef / hashes).toFixed(2)}× an XOR-fold`);
const filter = queryFilterFor(config, ['server1']);
measure('classifyQuery4 (LB decision + HA_ class, DISCOVER)', 2_000_000, (i) => {
  sink ^= classifyQuery4(filter, { messageType: 1, chaddr: keys[i & 1023] as Uint8Array }).inScope ? 1 : 0;
});

console.log('\n# state machine');
// A realistic mix: a pair in load-balancing exchanging heartbeats, with lease updates and their acks.
const t0 = Date.UTC(2026, 10, 22);
let [snapshot] = initialTransition(haMachine, { config, nowMs: t0 });
for (const state of ['waiting', 'ready'] as const) {
  [snapshot] = transition(haMachine, snapshot, { type: 'heartbeat.succeeded', nowMs: t0, partner: { state, dateTimeS: t0 / 1000 } });
  if (snapshot.context.state === 'syncing') [snapshot] = transition(haMachine, snapshot, { type: 'sync.succeeded', nowMs: t0, leases: 0 });
}
[snapshot] = transition(haMachine, snapshot, { type: 'heartbeat.succeeded', nowMs: t0, partner: { state: 'load-balancing', dateTimeS: t0 / 1000 } });
if (snapshot.context.state !== 'load-balancing') throw new Error(`benchmark set-up reached ${snapshot.context.state}, not load-balancing`);
const lease = { address: '192.0.2.10', hwAddress: '08:00:27:00:00:01', validLifetimeS: 3600, clttS: t0 / 1000, subnetId: 1, fqdnFwd: false, fqdnRev: false, hostname: '', state: 0 as const };
const mix = (i: number): HaEvent => {
  const nowMs = t0 + i;
  switch (i % 4) {
    case 0:
      return { type: 'heartbeat.succeeded', nowMs, partner: { state: 'load-balancing', dateTimeS: Math.floor(nowMs / 1000), scopes: ['server2'], unsentUpdateCount: 0 } };
    case 1:
      return { type: 'leases.committed', nowMs, queryId: `q${i}`, clientKey: 'k', updated: [lease], deleted: [] };
    case 2:
      return { type: 'lease-updates.completed', nowMs, queryId: `q${i - 1}`, peer: 'server2', outcome: { kind: 'ok' } };
    default:
      return { type: 'lease-updates.completed', nowMs, queryId: `q${i - 2}`, peer: 'server3', outcome: { kind: 'ok' } };
  }
};
let s = snapshot;
const events = measure('transition() on a heartbeat + lease-update mix', 200_000, (i) => {
  [s] = transition(haMachine, s, mix(i));
});
const actor = createActor(haMachine, { input: { config, nowMs: t0 }, clock: new SimulatedClock(), snapshot });
actor.start();
measure('reference: the same mix through createActor().send()', 200_000, (i) => actor.send(mix(i)));
actor.stop();
console.log(`state ${s.context.state}; ${events.toFixed(0)} events/s ≈ ${(events / 2).toFixed(0)} acknowledged DHCP queries/s of HA bookkeeping per core`);

// Overload: the cost of one more query when many answers already wait for acknowledgements
// (tandemd's parked-packet-limit defaults to 256). The reference is the same loop at depth 8.
const atDepth = (depth: number): number => {
  const deep = createActor(haMachine, { input: { config, nowMs: t0 }, clock: new SimulatedClock(), snapshot });
  deep.start();
  for (let q = 0; q < depth; q++) deep.send({ type: 'leases.committed', nowMs: t0, queryId: `p${q}`, clientKey: `k${q}`, updated: [lease], deleted: [] });
  let next = depth;
  const oldest = (i: number) => `p${i}`;
  const rate = measure(`one query in, the oldest out, ${depth} answers parked`, 20_000, (i) => {
    deep.send({ type: 'leases.committed', nowMs: t0 + i, queryId: `p${next}`, clientKey: `k${next}`, updated: [lease], deleted: [] });
    next += 1;
    for (const peer of ['server2', 'server3']) deep.send({ type: 'lease-updates.completed', nowMs: t0 + i, queryId: oldest(next - depth - 1), peer, outcome: { kind: 'ok' } });
  });
  if (deep.getSnapshot().context.parked.length !== depth) throw new Error(`expected ${depth} parked, found ${deep.getSnapshot().context.parked.length}`);
  deep.stop();
  return rate;
};
const shallow = atDepth(8);
const deep256 = atDepth(256);
console.log(`256 parked answers cost ${(shallow / deep256).toFixed(2)}× depth 8 per query`);
if (sink === 42) console.log('');
