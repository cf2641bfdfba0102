import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, requireBuiltTandemd } from '../../../test/harness/daemons.js';
import { keaHaUnavailable } from '../../../test/harness/kea-ha.js';
import { runPerfdhcp, type PerfdhcpReport } from '../../../test/harness/perfdhcp.js';
import { startProcess } from '../../../test/harness/processes.js';
import { bulkLeases, MixedPair, sleep } from '../../../test/interop/support/mixed-pair.js';
import type { Implementation, Mode, PeerSpec, RelationshipSpec } from '../../../test/interop/support/pair-config.js';

/**
 * `npm run bench:dhcp -- --pairs`: HA pairs, Tandem against Kea 2.2 (Kea peers with libdhcp_ha.so,
 * libdhcp_lease_cmds.so and the HA+MT dedicated listener, as test/harness/kea-ha.ts starts them), on the
 * interop LAN of test/interop/support (one namespace per server, perfdhcp as a relay with both servers as
 * helper addresses).
 *
 * - throughput: hot-standby and load-balancing, plus a mixed hot-standby pair (tandemd primary, Kea
 *   standby): the highest probed rate with < 1 % DORA drops (a failed probe is repeated once), then
 *   measured runs (min/median/max). Each probe also prints, from perfdhcp's report, drops, orphans and
 *   delays per exchange, and the UDP receive-buffer drops of each server's namespace.
 *   Each pair runs for all its probes and runs; perfdhcp draws its clients from a population of
 *   CLIENTS MACs so the pools (10,240 addresses) never run dry — repeated clients renew their lease,
 *   which costs the same lease update to the partner as a new one.
 * - failover: hot-standby in its normal state, the relay client asking for leases in a loop; the primary
 *   is SIGKILLed; the time until the standby reports partner-down, and until the loop's first ACK after
 *   the kill (which the standby can only give once it serves the primary's scope).
 * - lease sync: one peer's memfile pre-loaded with SYNC_LEASES leases, both started; the time until the
 *   empty peer reports ready (it starts in waiting).
 *
 * `--only throughput|failover|sync` runs one of the three parts; `--only hot-standby|load-balancing|mixed`
 * the throughput of those pairs alone (Tandem and Kea). `--rates 100,200,400` replaces the probed rates and
 * probes all of them. `--profile DIR` runs every tandemd under the V8 CPU profiler and stops it with
 * SIGTERM before the pair is torn down, leaving DIR/tandemd-<pid>.cpuprofile.
 */
export const PAIRS_PARTS = ['throughput', 'failover', 'sync', 'hot-standby', 'load-balancing', 'mixed'] as const;
export type PairsPart = (typeof PAIRS_PARTS)[number];
export const isPairsPart = (s: string): s is PairsPart => (PAIRS_PARTS as readonly string[]).includes(s);

export interface PairsOptions {
  readonly quick: boolean;
  readonly only: PairsPart | undefined;
  readonly rates?: readonly number[];
  readonly profileDir?: string;
  readonly dropRatio: (r: PerfdhcpReport) => number;
  readonly median: (xs: number[]) => number;
}

const RELAY_CLIENT = join(REPO_ROOT, 'test/harness/relay-client.mjs');
const CLIENTS = 5000;
const PROBE_S = 3;
const MEASURE_S = 5;
const MAX_DROP_RATIO = 0.01;
/**
 * A rate fails only when this many probes in a row reach MAX_DROP_RATIO. On the shared 2-core machine a
 * neighbour's burst of a few seconds stalls a 3-s probe of either implementation; with one attempt the
 * ceiling found was decided by such bursts (Tandem hot-standby 83 vs Kea 208 leases/s in one run,
 * Tandem passing 1250/s and Kea failing 750/s in another).
 */
const PROBE_ATTEMPTS = 2;
/**
 * The pools take the first 41 /24s of 198.18.0.0; the sync relationship's subnet is the /15 of RFC
 * 2544's benchmarking range, so 100,000 pre-loaded leases fit above the pools.
 */
const SYNC_LEASES = 100_000;
const SYNC_SUBNET = '198.18.0.0/15';

const peers = (primary: Implementation, other: Implementation, mode: Mode): PeerSpec[] => [
  { name: 'server1', role: 'primary', impl: primary, octet: 10 },
  { name: 'server2', role: mode === 'load-balancing' ? 'secondary' : 'standby', impl: other, octet: 11 },
];

const normalState = (mode: Mode): string => (mode === 'load-balancing' ? 'load-balancing' : 'hot-standby');

let tags = 0;
let profiling = false;

/** A pair started and in its normal state; `body` runs, then everything stops by pid and the LAN goes. */
const withPair = async <T>(spec: RelationshipSpec, body: (pair: MixedPair) => Promise<T>, expectNormal = true): Promise<T> => {
  const pair = MixedPair.create(`bp${++tags}`, spec);
  try {
    await pair.start();
    if (expectNormal) {
      const state = normalState(spec.mode);
      await pair.waitForStates({ server1: state, server2: state }, 60_000);
    }
    return await body(pair);
  } finally {
    // A SIGKILLed node writes no profile.
    if (profiling) await Promise.allSettled(spec.peers.filter((p) => p.impl === 'tandem').map((p) => pair.stop(p.name, 'SIGTERM')));
    await pair.destroy();
  }
};

const perfdhcp = (pair: MixedPair, rate: number, periodS: number, macBase: string): Promise<PerfdhcpReport> =>
  runPerfdhcp({
    ns: pair.client.ns,
    local: pair.client.iface,
    server: 'all',
    rate,
    clients: CLIENTS,
    exchanges: rate * periodS,
    periodS: periodS + 3,
    dropTimeS: 2,
    macBase,
  });

/**
 * Where the drops are, from perfdhcp's report: per exchange the drops, average and maximum delay, and
 * orphans (answers that arrived after their exchange was counted as dropped, or never asked for).
 */
const exchangeDetail = (output: string): string =>
  output
    .split(/\*\*\*Statistics for: /)
    .slice(1)
    .map((block) => {
      const name = block.slice(0, block.indexOf('***'));
      const value = (label: string) => new RegExp(`^${label}: ([\\d.]+)`, 'm').exec(block)?.[1] ?? '?';
      return `${name} drops ${value('drops')} orphans ${value('orphans')} delay avg ${value('avg delay')} max ${value('max delay')} ms`;
    })
    .join('; ');

/** The namespace's UDP RcvbufErrors: queries the kernel dropped because a server did not read its socket in time. */
const udpRcvbufErrors = (ns: string): number => {
  const snmp = spawnSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/snmp'], { encoding: 'utf8' }).stdout;
  const [names, values] = snmp.split('\n').filter((line) => line.startsWith('Udp:'));
  const column = names?.split(/\s+/).indexOf('RcvbufErrors') ?? -1;
  return column < 0 ? Number.NaN : Number(values?.split(/\s+/)[column]);
};

const rcvbufErrorsByServer = (pair: MixedPair): Map<string, number> =>
  new Map([...pair.servers].map(([name, server]) => [name, udpRcvbufErrors(server.host.ns)]));

interface Throughput {
  readonly label: string;
  readonly rate: number;
  readonly metBound: boolean;
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly maxDrops: number;
}

const throughput = async (label: string, spec: RelationshipSpec, o: PairsOptions): Promise<Throughput> =>
  withPair(spec, async (pair) => {
    const probeRates = o.rates ?? (o.quick ? [250] : [100, 250, 500, 1000, 1500, 2500]);
    // Warm-up (tandemd's JIT), not measured.
    await perfdhcp(pair, 200, 3, '00:98:00:00:00:00');
    let best = 0;
    let failed = false;
    for (const rate of probeRates) {
      let passed = false;
      for (let attempt = 1; attempt <= PROBE_ATTEMPTS && !passed; attempt++) {
        const rcvbufBefore = rcvbufErrorsByServer(pair);
        const load = loadavg()[0]?.toFixed(1);
        const report = await perfdhcp(pair, rate, PROBE_S, '00:97:00:00:00:00');
        const rcvbuf = [...rcvbufErrorsByServer(pair)].map(([name, n]) => `${name} ${n - (rcvbufBefore.get(name) ?? 0)}`).join(', ');
        const tag = attempt === 1 ? 'probe ' : 'again ';
        process.stdout.write(`  ${tag} ${label.padEnd(22)} offered ${String(rate).padStart(5)}/s → ${report.rate.toFixed(0).padStart(5)} leases/s, drops ${(o.dropRatio(report) * 100).toFixed(2)} % (load ${load})\n`);
        process.stdout.write(`         ${exchangeDetail(report.output)}; UDP receive-buffer drops: ${rcvbuf}\n`);
        passed = o.dropRatio(report) < MAX_DROP_RATIO;
      }
      failed ||= !passed;
      // Explicit --rates are all probed (to see the curve); the best rate is still the last of an unbroken run.
      if (failed && o.rates === undefined) break;
      if (!failed) best = rate;
    }
    const metBound = best !== 0;
    if (!metBound) best = probeRates[0] as number;
    const results: number[] = [];
    const drops: number[] = [];
    for (let i = 0; i < (o.quick ? 1 : 3); i++) {
      const report = await perfdhcp(pair, best, MEASURE_S, '00:97:00:00:00:00');
      process.stdout.write(`  run ${i + 1}  ${label.padEnd(22)} offered ${String(best).padStart(5)}/s → ${report.rate.toFixed(0).padStart(5)} leases/s, drops ${(o.dropRatio(report) * 100).toFixed(2)} %\n`);
      results.push(report.rate);
      drops.push(o.dropRatio(report));
    }
    return { label, rate: best, metBound, min: Math.min(...results), median: o.median(results), max: Math.max(...results), maxDrops: Math.max(...drops) };
  });

interface Failover {
  readonly partnerDownMs: number | undefined;
  readonly firstAckMs: number | undefined;
}

/** Counts the relay client's ACK lines. */
const ackCount = (output: string): number => output.split('\n').filter((line) => line.startsWith('{"event":"ack"')).length;

const failover = async (impl: Implementation): Promise<Failover> =>
  withPair({ mode: 'hot-standby', peers: peers(impl, impl, 'hot-standby') }, async (pair) => {
    // Short retries: a client whose REQUEST names the killed primary as server-id is not answered by a
    // standby that checks it (Kea), so it gives up within 0.3 s and the next client starts with a DISCOVER;
    // the first-ACK figure carries that much uncertainty.
    const relay = startProcess(
      pair.client.ns,
      process.execPath,
      [RELAY_CLIENT, '--server', [...pair.servers.values()].map((s) => s.host.address).join(','), '--giaddr', pair.client.address, '--clients', '100000', '--mac-base', '02:77:00', '--concurrency', '2', '--timeout-ms', '100', '--retries', '2'],
      join(pair.dir, 'failover-relay.log'),
    );
    try {
      await relay.waitFor((out) => ackCount(out) >= 20, 20_000);
      const killedAt = performance.now();
      const acksAtKill = ackCount(relay.output());
      await pair.stop('server1', 'SIGKILL');
      let partnerDownMs: number | undefined;
      let firstAckMs: number | undefined;
      const deadline = killedAt + 20_000;
      while ((partnerDownMs === undefined || firstAckMs === undefined) && performance.now() < deadline) {
        if (firstAckMs === undefined && ackCount(relay.output()) > acksAtKill) firstAckMs = performance.now() - killedAt;
        if (partnerDownMs === undefined && (await pair.state('server2')) === 'partner-down') partnerDownMs = performance.now() - killedAt;
        await sleep(20);
      }
      return { partnerDownMs, firstAckMs };
    } finally {
      await relay.stop('SIGKILL', 5000);
    }
  });

/**
 * Sync of the pre-loaded peer's leases into the empty one: from both processes started (both then begin
 * in waiting) to the empty peer reporting ready or its normal state. Not from the first waiting *seen*:
 * kea-dhcp4 2.2 runs the sync inside its own event loop and answers no control command meanwhile, so
 * polling only ever sees it before or after.
 */
const leaseSync = async (impl: Implementation): Promise<{ readonly ms: number | undefined; readonly leases: number }> => {
  const spec: RelationshipSpec = { mode: 'hot-standby', peers: peers(impl, impl, 'hot-standby'), syncTimeoutMs: 120_000, subnet: SYNC_SUBNET };
  const pair = MixedPair.create(`bs${++tags}`, spec);
  try {
    pair.preloadLeases('server1', bulkLeases('198.18.41.0', SYNC_LEASES, '02:55:00'));
    await pair.start();
    const startedAt = performance.now();
    const deadline = startedAt + 120_000;
    while (performance.now() < deadline) {
      const state = await pair.state('server2');
      if (state === 'ready' || state === 'hot-standby') {
        const ms = performance.now() - startedAt;
        return { ms, leases: (await pair.leases('server2')).size };
      }
      await sleep(50);
    }
    return { ms: undefined, leases: 0 };
  } finally {
    await pair.destroy();
  }
};

/**
 * The pair harness starts `node <TANDEM_INTEROP_TANDEMD> -c <config>`, and node refuses --cpu-prof in
 * NODE_OPTIONS: so the bundle it is given is a launcher that starts the inspector's profiler in its
 * own process, then runs the real tandemd there, and writes the profile when the process exits. One
 * process, so a SIGKILL (failover) leaves nothing behind; it then writes no profile either.
 */
const profilingLauncher = (dir: string): string => {
  mkdirSync(dir, { recursive: true });
  const launcher = join(dir, 'tandemd-cpu-prof.mjs');
  writeFileSync(
    launcher,
    [
      "import { Session } from 'node:inspector';",
      "import { writeFileSync } from 'node:fs';",
      'const session = new Session();',
      'session.connect();',
      "session.post('Profiler.enable');",
      "session.post('Profiler.start');",
      // An in-process session answers synchronously, so the profile is on disk before the process ends.
      "process.on('exit', () => session.post('Profiler.stop', (error, result) => {",
      `  if (error === null) writeFileSync(${JSON.stringify(dir)} + '/tandemd-' + process.pid + '.cpuprofile', JSON.stringify(result.profile));`,
      '}));',
      `await import(${JSON.stringify(pathToFileURL(requireBuiltTandemd()).href)});`,
      '',
    ].join('\n'),
  );
  return launcher;
};

const fmtMs = (ms: number | undefined): string => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);

export const benchmarkPairs = async (o: PairsOptions): Promise<void> => {
  const unavailable = keaHaUnavailable();
  if (unavailable !== undefined) {
    process.stderr.write(`bench:dhcp --pairs needs Kea's HA hooks: ${unavailable}\n`);
    process.exit(2);
  }
  if (o.profileDir !== undefined) {
    profiling = true;
    process.env.TANDEM_INTEROP_TANDEMD = profilingLauncher(o.profileDir);
  }
  const startedAt = performance.now();
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  const rows: Throughput[] = [];
  const configurations: [string, Mode, Implementation, Implementation, PairsPart][] = [
    ['tandem HS', 'hot-standby', 'tandem', 'tandem', 'hot-standby'],
    ['kea HS', 'hot-standby', 'kea', 'kea', 'hot-standby'],
    ['tandem LB', 'load-balancing', 'tandem', 'tandem', 'load-balancing'],
    ['kea LB', 'load-balancing', 'kea', 'kea', 'load-balancing'],
    ['mixed HS (tandem+kea)', 'hot-standby', 'tandem', 'kea', 'mixed'],
  ];
  const wanted = (part: PairsPart) => o.only === undefined || o.only === part;
  for (const [label, mode, a, b, part] of configurations) {
    if (wanted('throughput') || wanted(part)) rows.push(await throughput(label, { mode, peers: peers(a, b, mode) }, o));
  }
  const failovers = wanted('failover') ? { tandem: await failover('tandem'), kea: await failover('kea') } : undefined;
  const syncs = wanted('sync') && !o.quick ? { tandem: await leaseSync('tandem'), kea: await leaseSync('kea') } : undefined;
  const row = (r: Throughput) =>
    `${r.label.padEnd(22)} ${String(r.rate).padStart(8)} ${r.min.toFixed(0).padStart(7)} ${r.median.toFixed(0).padStart(7)} ${r.max.toFixed(0).padStart(7)} ${`${(r.maxDrops * 100).toFixed(2)} %`.padStart(10)}${r.metBound ? '' : '  (no probed rate stayed under 1 % drops)'}`;
  const byLabel = (label: string) => rows.find((r) => r.label === label);
  const ratio = (t: string, k: string) => {
    const [a, b] = [byLabel(t), byLabel(k)];
    return a === undefined || b === undefined ? 'n/a' : (a.median / b.median).toFixed(2);
  };
  process.stdout.write(
    [
      '',
      `HA pairs, load average at start ${load}`,
      ...(rows.length === 0
        ? []
        : [
      `throughput (perfdhcp relay to both peers, memfile persist true, ${CLIENTS} clients):`,
      `${'pair'.padEnd(22)} ${'offered'.padStart(8)} ${'min'.padStart(7)} ${'median'.padStart(7)} ${'max'.padStart(7)} ${'max drops'.padStart(10)}`,
      ...rows.map(row),
      `ratio Tandem ÷ Kea (median): hot-standby ${ratio('tandem HS', 'kea HS')}, load-balancing ${ratio('tandem LB', 'kea LB')}, mixed ÷ kea HS ${ratio('mixed HS (tandem+kea)', 'kea HS')}`,
          ]),
      '',
      ...(failovers === undefined
        ? []
        : [
            `failover (hot-standby, primary SIGKILLed)   ${'→ partner-down'.padStart(15)} ${'→ first ACK'.padStart(12)}`,
            `  tandem pair                               ${fmtMs(failovers.tandem.partnerDownMs).padStart(15)} ${fmtMs(failovers.tandem.firstAckMs).padStart(12)}`,
            `  kea pair                                  ${fmtMs(failovers.kea.partnerDownMs).padStart(15)} ${fmtMs(failovers.kea.firstAckMs).padStart(12)}`,
          ]),
      '',
      syncs === undefined
        ? 'lease sync: not run'
        : [
            `lease sync of ${SYNC_LEASES} leases (both started → empty peer ready):`,
            `  tandem pair  ${fmtMs(syncs.tandem.ms)} (${syncs.tandem.leases} leases on the synced peer)`,
            `  kea pair     ${fmtMs(syncs.kea.ms)} (${syncs.kea.leases} leases on the synced peer)`,
          ].join('\n'),
      `whole --pairs run: ${((performance.now() - startedAt) / 1000).toFixed(0)} s, load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
      '',
    ].join('\n'),
  );
};
