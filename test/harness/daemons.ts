import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startProcess, type Started } from './processes.js';

/** The repository root, found upwards from this file (which may also run bundled, from packages/server/dist/bench). */
const findRepoRoot = (): string => {
  for (let dir = import.meta.dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'packages/server/package.json'))) return dir;
  }
  throw new Error(`cannot find the repository root above ${import.meta.dirname}`);
};

export const REPO_ROOT = findRepoRoot();
export const TANDEMD = join(REPO_ROOT, 'packages/server/dist/tandemd.js');

/** Integration tests run the built daemon, as an operator would; say how to get it when it is missing. */
export const requireBuiltTandemd = (): string => {
  if (!existsSync(TANDEMD)) throw new Error(`${TANDEMD} is missing: run 'npm run build' at the repository root first`);
  return TANDEMD;
};

export const tempDir = (tag: string): string => mkdtempSync(join(tmpdir(), `tandem-${tag}-`));

export interface Dhcp4Options {
  readonly interfaces: readonly string[];
  readonly leaseFile: string;
  readonly subnet?: string;
  readonly pool?: string;
  readonly validLifetimeS?: number;
  readonly controlSocket?: string;
  readonly logFile?: string;
  readonly severity?: 'DEBUG' | 'INFO' | 'WARN';
  readonly leaseCmds?: boolean;
  /** Kea's raw sockets receive broadcasts; tandemd accepts the key with a warning. */
  readonly rawSockets?: boolean;
}

const LEASE_CMDS = '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so';

/** One `{"Dhcp4": ...}` document that both kea-dhcp4 2.2 and tandemd accept. */
export const dhcp4Config = (o: Dhcp4Options): object => ({
  Dhcp4: {
    'interfaces-config': { interfaces: o.interfaces, ...(o.rawSockets ? { 'dhcp-socket-type': 'raw' } : {}) },
    'lease-database': { type: 'memfile', name: o.leaseFile, persist: true, 'lfc-interval': 0 },
    'valid-lifetime': o.validLifetimeS ?? 3600,
    subnet4: [{ id: 1, subnet: o.subnet ?? '198.18.0.0/16', pools: [{ pool: o.pool ?? '198.18.1.0 - 198.18.200.255' }] }],
    ...(o.controlSocket ? { 'control-socket': { 'socket-type': 'unix', 'socket-name': o.controlSocket } } : {}),
    ...(o.leaseCmds ? { 'hooks-libraries': [{ library: LEASE_CMDS }] } : {}),
    loggers: [
      { name: 'kea-dhcp4', severity: o.severity ?? 'INFO', output_options: [{ output: o.logFile ?? 'stdout' }] },
    ],
  },
});

export const writeConfig = (dir: string, name: string, config: object): string => {
  const file = join(dir, name);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
};

/** Starts tandemd in `ns` and waits for DHCP4_STARTED. */
export const startTandemd = async (
  ns: string | undefined,
  configFile: string,
  logFile: string,
  extraArgs: readonly string[] = [],
  nodeFlags: readonly string[] = [],
  ready: 'log' | 'socket' = 'log',
): Promise<Started> => {
  const daemon = startProcess(ns, process.execPath, [...nodeFlags, requireBuiltTandemd(), '-c', configFile, ...extraArgs], logFile);
  if (ready === 'log') await daemon.waitFor(/"msgId":"DHCP4_STARTED"/);
  else await waitForUdpListener(ns, 67, daemon);
  return daemon;
};

/** For daemons logging at WARN (no start message): ready once something listens on UDP `port` in `ns`. */
export const waitForUdpListener = async (ns: string | undefined, port: number, daemon: Started, timeoutMs = 15_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const args = ['-Hlun', `sport = :${port}`];
    const ss = ns === undefined ? spawnSync('ss', args, { encoding: 'utf8' }) : spawnSync('ip', ['netns', 'exec', ns, 'ss', ...args], { encoding: 'utf8' });
    if (ss.stdout.trim() !== '') return;
    if (Date.now() > deadline) throw new Error(`nothing listens on UDP ${port} after ${timeoutMs} ms; daemon output:\n${daemon.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** Starts Debian's kea-dhcp4 in `ns` with its pid and lock files in `dir` (it cannot write /run/kea as a test). */
export const startKeaDhcp4 = async (ns: string | undefined, configFile: string, dir: string, logFile: string, ready: 'log' | 'socket' = 'log'): Promise<Started> => {
  const kea = startProcess(ns, 'kea-dhcp4', ['-c', configFile], logFile, { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir });
  if (ready === 'log') await kea.waitFor(/DHCP4_STARTED/);
  else await waitForUdpListener(ns, 67, kea);
  return kea;
};
