import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseKeaJson } from '../src/config/kea-json.js';

/**
 * Starts two tandemd processes on 127.0.0.1 as a Kea-compatible HA pair — hot-standby by default,
 * load-balancing with `--mode load-balancing` — from examples/pair-server1.json and pair-server2.json,
 * and stops both cleanly on Ctrl-C. Built to dist/examples/start-pair.js.
 */
const USAGE = 'usage: start-pair [--mode hot-standby|load-balancing]';

type Mode = 'hot-standby' | 'load-balancing';

interface PairServer {
  readonly name: 'server1' | 'server2';
  readonly dhcpPort: number;
  readonly url: string;
}

const SERVERS: readonly PairServer[] = [
  { name: 'server1', dhcpPort: 10067, url: 'http://127.0.0.1:8001/' },
  { name: 'server2', dhcpPort: 10167, url: 'http://127.0.0.1:8002/' },
];
const STATE_DIR = '/tmp/tandem-pair';
/** How long Ctrl-C waits for both daemons' graceful stop before killing them. */
const STOP_TIMEOUT_MS = 10_000;

const parseMode = (): Mode => {
  const { values } = parseArgs({ options: { mode: { type: 'string', default: 'hot-standby' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (values.mode !== 'hot-standby' && values.mode !== 'load-balancing') {
    process.stderr.write(`start-pair: --mode must be hot-standby or load-balancing, not '${values.mode}'\n${USAGE}\n`);
    process.exit(64);
  }
  return values.mode;
};

interface HaRelationship {
  mode: string;
  peers: Array<{ name: string; role: string }>;
}
interface PairDocument {
  Dhcp4: {
    subnet4: Array<{ pools: Array<Record<string, unknown>> }>;
    'hooks-libraries': Array<{ parameters?: { 'high-availability': HaRelationship[] } }>;
  };
}

/**
 * The example files describe the hot-standby pair. Load balancing changes the mode, makes server2 the
 * secondary and splits the pool by scope class (HA_server1, HA_server2), as Kea's documentation
 * recommends so the two servers never offer the same address.
 */
const effectiveConfig = (server: PairServer, mode: Mode): string => {
  const file = fileURLToPath(new URL(`../../examples/pair-${server.name}.json`, import.meta.url));
  const document = parseKeaJson(readFileSync(file, 'utf8'), file) as PairDocument;
  if (mode === 'load-balancing') {
    for (const library of document.Dhcp4['hooks-libraries']) {
      for (const relationship of library.parameters?.['high-availability'] ?? []) {
        relationship.mode = 'load-balancing';
        for (const peer of relationship.peers) if (peer.role === 'standby') peer.role = 'secondary';
      }
    }
    for (const subnet of document.Dhcp4.subnet4) {
      subnet.pools = [
        { pool: '127.0.1.0 - 127.0.127.255', 'client-class': 'HA_server1' },
        { pool: '127.0.128.0 - 127.0.255.254', 'client-class': 'HA_server2' },
      ];
    }
  }
  const out = `${STATE_DIR}/${server.name}.json`;
  writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
  return out;
};

const mode = parseMode();
const daemon = fileURLToPath(new URL('../tandemd.js', import.meta.url));
const children: ChildProcess[] = [];
for (const server of SERVERS) {
  mkdirSync(`${STATE_DIR}/${server.name}`, { recursive: true });
  const config = effectiveConfig(server, mode);
  const child = spawn(process.execPath, [daemon, '-c', config, '-p', String(server.dhcpPort)], { stdio: ['ignore', 'inherit', 'inherit'] });
  children.push(child);
}

const perfdhcp = (server: PairServer, relayPort: number): string =>
  `  perfdhcp -4 -l 127.0.0.1 -L ${relayPort} -N ${server.dhcpPort} -r 100 -R 1000 -n 1000 -W 1000000 127.0.0.1`;
process.stderr.write(
  [
    `tandem pair (${mode}) on loopback, configurations and lease files in ${STATE_DIR}/:`,
    ...SERVERS.map((s) => `  ${s.name}: HA and control channel ${s.url}, DHCP 127.0.0.1:${s.dhcpPort}, unix socket ${STATE_DIR}/${s.name}/dhcp4.sock`),
    'Watch the pair reach its normal state and ask it anything (tandemctl is built by packages/control):',
    `  npx tandemctl --url ${SERVERS[0]!.url} ha-heartbeat`,
    `  npx tandemctl --url ${SERVERS[1]!.url} status-get`,
    `  npx tandemctl --url ${SERVERS[1]!.url} lease4-get-page --from start --limit 5`,
    mode === 'hot-standby'
      ? 'Drive the primary with perfdhcp (package kea-admin) as a relay; every lease appears on the standby too:'
      : 'Loopback has no broadcast, so each perfdhcp reaches one server, which answers only its own half of the clients:',
    perfdhcp(SERVERS[0]!, 10068),
    ...(mode === 'load-balancing' ? [perfdhcp(SERVERS[1]!, 10168)] : []),
    `Try a failover: stop server1 (kill ${children[0]?.pid}); server2 goes to partner-down after max-response-delay (6 s).`,
    'Stop both with Ctrl-C.',
    '',
  ].join('\n'),
);

let stopping = false;
const stopAll = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
  setTimeout(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  }, STOP_TIMEOUT_MS).unref();
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopAll('SIGTERM'));

let running = children.length;
let worstExit = 0;
for (const child of children) {
  child.on('exit', (code, signal) => {
    running -= 1;
    worstExit = Math.max(worstExit, code ?? (signal !== null ? 1 : 0));
    // One daemon ending on its own is what a failover demo does; the pair ends when both have.
    if (running === 0) process.exit(worstExit);
  });
}
