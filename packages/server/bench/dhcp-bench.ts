import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { keaAdminDbInit, pgLeaseDatabase } from '../../../test/db/support/postgresql-dhcp.js';
import { dhcp4Config, startKeaDhcp4, startTandemd, tempDir, writeConfig } from '../../../test/harness/daemons.js';
import { createTestLan, netnsUnavailable, type TestLan } from '../../../test/harness/netns.js';
import { runPerfdhcp, type PerfdhcpReport } from '../../../test/harness/perfdhcp.js';
import { postgresUnavailableReason, startPostgres, type ThrowawayPostgres } from '../../../test/harness/postgres.js';
import type { Started } from '../../../test/harness/processes.js';
import { benchmarkPairs, isPairsPart, PAIRS_PARTS } from './pair-bench.js';

/**
 * `npm run bench:dhcp`: tandemd and kea-dhcp4 2.2 in the same private LAN, same subnet/pool, memfile with
 * persist true, driven by perfdhcp as a relay. For each server: the highest offered rate whose DORA drops
 * stay under 1 %, then three measured runs at that rate (min/median/max leases per second) and the ratio
 * Tandem ÷ Kea. Every perfdhcp run is bounded (≤ 20 s); the whole benchmark takes a few minutes.
 *
 *   --postgresql    the lease database is PostgreSQL instead: one throwaway server (test/harness/postgres.ts)
 *                   outside the LAN, reached by both daemons through its Unix socket; every run gets a new
 *                   database made by `kea-admin db-init pgsql`, and both daemons run the same lease-database map
 *   --profile DIR   run tandemd under `node --cpu-prof` and leave its .cpuprofile files in DIR
 *   --pairs         HA pairs instead (bench/pair-bench.ts): hot-standby and load-balancing throughput, Tandem
 *                   pair against Kea 2.2 pair and a mixed pair, failover time and lease-sync time
 *                   (`--only throughput|failover|sync` for one part, `--only hot-standby|load-balancing|mixed`
 *                   for the throughput of those pairs alone; `--rates 100,200,400` replaces the probed rates;
 *                   `--profile DIR` leaves every tandemd's .cpuprofile in DIR, named by pid)
 *   --quick         one probe rate and one measured run each (a smoke test of the benchmark itself)
 */
type Server = 'tandemd' | 'kea-dhcp4';

/** What differs between the lease databases compared: rates worth probing, the warm-up, and each run's database. */
interface Scenario {
  readonly title: string;
  readonly probeRates: readonly number[];
  readonly warmUp: { readonly rate: number; readonly clients: number };
  /** The lease-database map of one run, set up afresh; `dispose` removes what it made. */
  leaseDatabase(dir: string, run: number): Promise<{ readonly map: Record<string, unknown>; dispose(): Promise<void> }>;
}

const argv = process.argv.slice(2);
const profileDir = argv.includes('--profile') ? argv[argv.indexOf('--profile') + 1] : undefined;
const quick = argv.includes('--quick');
const postgresql = argv.includes('--postgresql');
const pairs = argv.includes('--pairs');
const PROBE_S = 4;
const MEASURE_S = 10;
const MAX_DROP_RATIO = 0.01;

const memfileScenario: Scenario = {
  title: 'memfile persist true',
  probeRates: quick ? [1000] : [1000, 2000, 3000, 4000, 5000, 6000, 8000, 10000, 12000],
  warmUp: { rate: 500, clients: 1000 },
  leaseDatabase: async (dir) => ({
    map: { type: 'memfile', name: join(dir, 'leases4.csv'), persist: true, 'lfc-interval': 0 },
    dispose: async () => undefined,
  }),
};

/** Every statement is a round trip to the server, so the interesting rates are an order of magnitude lower. */
const postgresqlScenario = (pg: ThrowawayPostgres): Scenario => ({
  title: 'PostgreSQL, schema by kea-admin db-init',
  probeRates: quick ? [100] : [100, 200, 300, 400, 500, 600, 800, 1000, 1300, 1600, 2000, 2500, 3000],
  warmUp: { rate: 100, clients: 400 },
  leaseDatabase: async (_dir, run) => {
    const name = `bench_${run}`;
    await pg.createDatabase(name);
    await keaAdminDbInit(pg, name);
    return {
      map: pgLeaseDatabase(pg, name),
      dispose: async () => {
        await pg.psql(`DROP DATABASE ${name} WITH (FORCE)`);
      },
    };
  },
});

const dropRatio = (r: PerfdhcpReport): number => {
  const discover = r.exchanges['DISCOVER-OFFER'];
  const request = r.exchanges['REQUEST-ACK'];
  if (discover === undefined || request === undefined || discover.sent === 0) return 1;
  // An exchange is lost when its offer or its ack is.
  return (discover.drops + request.drops) / discover.sent;
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

let runs = 0;

const run = async (lan: TestLan, scenario: Scenario, server: Server, rate: number, periodS: number, tag: string): Promise<PerfdhcpReport> => {
  const host = lan.hosts.server!;
  const client = lan.hosts.client!;
  const dir = tempDir(`bench-${server}`);
  const database = await scenario.leaseDatabase(dir, ++runs);
  const config = writeConfig(dir, 'dhcp4.json', {
    Dhcp4: {
      ...(dhcp4Config({ interfaces: [host.iface], leaseFile: join(dir, 'leases4.csv'), rawSockets: true, severity: 'WARN' }) as { Dhcp4: object }).Dhcp4,
      'lease-database': database.map,
    },
  });
  let daemon: Started;
  if (server === 'tandemd') {
    const nodeFlags = profileDir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    daemon = await startTandemd(host.ns, config, join(dir, 'daemon.log'), [], nodeFlags, 'socket');
  } else {
    daemon = await startKeaDhcp4(host.ns, config, dir, join(dir, 'daemon.log'), 'socket');
  }
  try {
    // Warm-up, not measured: lets tandemd's JIT compile the hot path (harmless for Kea), with other MACs.
    const { warmUp } = scenario;
    await runPerfdhcp({ ns: client.ns, local: client.iface, server: 'all', rate: warmUp.rate, clients: warmUp.clients, exchanges: warmUp.clients, periodS: 4, macBase: '00:99:00:00:00:00' });
    const report = await runPerfdhcp({
      ns: client.ns,
      local: client.iface,
      server: 'all',
      rate,
      clients: 50_000,
      exchanges: rate * periodS,
      periodS: periodS + 5,
      // A busy server answers late rather than never; perfdhcp's default 1 s would count those as lost.
      dropTimeS: 2,
    });
    process.stdout.write(
      `  ${tag.padEnd(8)} ${server.padEnd(9)} offered ${String(rate).padStart(6)}/s → ${report.rate.toFixed(0).padStart(6)} leases/s, drops ${(dropRatio(report) * 100).toFixed(2)} %\n`,
    );
    return report;
  } finally {
    await daemon.stop('SIGTERM', 20_000);
    await database.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
};

const benchmark = async (lan: TestLan, scenario: Scenario, server: Server) => {
  let best = 0;
  for (const rate of scenario.probeRates) {
    const report = await run(lan, scenario, server, rate, PROBE_S, 'probe');
    if (dropRatio(report) >= MAX_DROP_RATIO) break;
    best = rate;
  }
  const metBound = best !== 0;
  if (!metBound) best = scenario.probeRates[0] as number;
  const results: number[] = [];
  const drops: number[] = [];
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    const report = await run(lan, scenario, server, best, MEASURE_S, `run ${i + 1}`);
    results.push(report.rate);
    drops.push(dropRatio(report));
  }
  return { server, rate: best, metBound, min: Math.min(...results), median: median(results), max: Math.max(...results), maxDrops: Math.max(...drops) };
};

const main = async () => {
  const unavailable = netnsUnavailable();
  if (unavailable !== undefined) {
    process.stderr.write(`bench:dhcp needs network namespaces: ${unavailable}\n`);
    process.exit(2);
  }
  if (pairs) {
    const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
    if (only !== undefined && !isPairsPart(only)) {
      process.stderr.write(`bench:dhcp --pairs --only ${only}: expected one of ${PAIRS_PARTS.join(', ')}\n`);
      process.exit(2);
    }
    const ratesArg = argv.includes('--rates') ? argv[argv.indexOf('--rates') + 1] : undefined;
    const rates = ratesArg?.split(',').map(Number);
    if (rates !== undefined && (rates.length === 0 || rates.some((r) => !Number.isInteger(r) || r <= 0))) {
      process.stderr.write(`bench:dhcp --pairs --rates ${ratesArg}: expected positive whole rates separated by commas, e.g. 100,200,400\n`);
      process.exit(2);
    }
    await benchmarkPairs({ quick, only, dropRatio, median, ...(rates !== undefined ? { rates } : {}), ...(profileDir !== undefined ? { profileDir } : {}) });
    return;
  }
  if (postgresql && postgresUnavailableReason() !== undefined) {
    process.stderr.write(`bench:dhcp --postgresql: ${postgresUnavailableReason()}\n`);
    process.exit(2);
  }
  const pg = postgresql ? await startPostgres() : undefined;
  const lan = createTestLan('bench', { server: '0.1', client: '0.2' });
  const cleanup = async () => {
    lan.destroy();
    await pg?.stop();
  };
  process.once('SIGINT', () => {
    void cleanup().finally(() => process.exit(130));
  });
  const scenario = pg === undefined ? memfileScenario : postgresqlScenario(pg);
  try {
    const tandem = await benchmark(lan, scenario, 'tandemd');
    const kea = await benchmark(lan, scenario, 'kea-dhcp4');
    const row = (r: typeof tandem) =>
      `${r.server.padEnd(10)} ${String(r.rate).padStart(8)} ${r.min.toFixed(0).padStart(8)} ${r.median.toFixed(0).padStart(8)} ${r.max.toFixed(0).padStart(8)} ${`${(r.maxDrops * 100).toFixed(2)} %`.padStart(10)}${r.metBound ? '' : '  (no probed rate stayed under 1 % drops)'}`;
    process.stdout.write(
      [
        '',
        `DORA leases/s at the highest offered rate with < 1 % drops (perfdhcp relay, ${scenario.title}):`,
        `${'server'.padEnd(10)} ${'offered'.padStart(8)} ${'min'.padStart(8)} ${'median'.padStart(8)} ${'max'.padStart(8)} ${'max drops'.padStart(10)}`,
        row(tandem),
        row(kea),
        `ratio Tandem ÷ Kea (median): ${(tandem.median / kea.median).toFixed(2)}`,
        '',
      ].join('\n'),
    );
  } finally {
    await cleanup();
  }
};

await main();
