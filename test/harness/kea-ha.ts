import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeConfig } from './daemons.js';
import { startProcess, type Started } from './processes.js';

/**
 * A real Kea 2.2 HA peer (Debian 12's kea-dhcp4 with libdhcp_ha.so) in a network namespace, started
 * from a configuration document the caller generated: either answering its peers itself through HA's
 * multi-threaded dedicated listener, or behind Debian's kea-ctrl-agent (Kea 2.2's default HA transport),
 * optionally with its clock shifted by libfaketime. Processes are stopped by pid only.
 */

export const KEA_HA_HOOK = '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_ha.so';
export const KEA_LEASE_CMDS_HOOK = '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so';
/** Debian's libfaketime (package `libfaketime`); the MT flavour is the one for threaded programs such as Kea with MT. */
export const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';

/** Why a Kea HA peer cannot be started here, or undefined when it can. */
export const keaHaUnavailable = (): string | undefined => {
  for (const [file, pkg] of [
    [KEA_HA_HOOK, 'kea-dhcp4-server'],
    [KEA_LEASE_CMDS_HOOK, 'kea-dhcp4-server'],
  ] as const) {
    if (!existsSync(file)) return `${file} is missing (Debian package ${pkg})`;
  }
  for (const [program, pkg] of [
    ['kea-dhcp4', 'kea-dhcp4-server'],
    ['kea-ctrl-agent', 'kea-ctrl-agent'],
    ['perfdhcp', 'kea-admin'],
  ] as const) {
    if (spawnSync(program, ['-v']).error !== undefined) return `${program} is not installed (Debian package ${pkg})`;
  }
  return undefined;
};

/** Why a shifted clock cannot be given to Kea here, or undefined when it can. */
export const libfaketimeUnavailable = (): string | undefined =>
  existsSync(LIBFAKETIME) ? undefined : `${LIBFAKETIME} is missing (Debian package libfaketime)`;

export interface KeaCtrlAgentOptions {
  /** Where the agent listens: the address and port of this peer's URL. */
  readonly httpHost: string;
  readonly httpPort: number;
  /** kea-dhcp4's unix control socket the agent forwards `service: ["dhcp4"]` commands to. */
  readonly controlSocket: string;
  /** HTTPS at the agent (its own `trust-anchor`/`cert-file`/`key-file`/`cert-required`). */
  readonly tls?: { readonly trustAnchor: string; readonly certFile: string; readonly keyFile: string; readonly certRequired: boolean };
  /** Basic-auth clients the agent accepts (its `authentication`); absent, it asks for none. */
  readonly basicAuth?: readonly { readonly user: string; readonly password: string }[];
}

export interface KeaHaPeerOptions {
  readonly name: string;
  readonly ns: string;
  /** Working directory: configuration files, pid and lock files, logs. */
  readonly dir: string;
  /** The whole `{"Dhcp4": ...}` document; its loggers should print to stdout (the harness keeps the output). */
  readonly dhcp4: object;
  /** Put kea-ctrl-agent in front (HA peers reach this server through it); absent, the dedicated listener answers. */
  readonly ctrlAgent?: KeaCtrlAgentOptions;
  /** TCP port that must be listening (in `ns`) before the peer counts as started: its HA URL's port. */
  readonly haPort: number;
  /**
   * Shift kea-dhcp4's clock with libfaketime: a FAKETIME spec such as `+75s`. It is written to a
   * file that libfaketime re-reads every second, so `setClockOffset` can change it while Kea runs.
   */
  readonly clockOffset?: string;
}

export interface KeaHaPeer {
  readonly name: string;
  readonly configFile: string;
  readonly dhcp4: Started;
  readonly agent: Started | undefined;
  /** Changes the libfaketime offset of a peer started with `clockOffset` (takes effect within about a second). */
  setClockOffset(offset: string): void;
  /** Signals kea-dhcp4 (by pid) and, unless it is SIGKILL's crash test, the agent too; waits for both to end. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  output(): string;
}

const keaEnv = (dir: string): NodeJS.ProcessEnv => ({ KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir });

/** Waits until something listens on TCP `port` inside `ns`; fails early if `daemon` exits. */
export const waitForTcpListener = async (ns: string, port: number, daemon: Started, timeoutMs = 15_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void daemon.exited.then(() => (exited = true));
  for (;;) {
    const ss = spawnSync('ip', ['netns', 'exec', ns, 'ss', '-Hltn', `sport = :${port}`], { encoding: 'utf8' });
    if (ss.stdout.trim() !== '') return;
    if (exited) throw new Error(`the process meant to listen on TCP ${port} in ${ns} exited; output:\n${daemon.output().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`nothing listens on TCP ${port} in ${ns} after ${timeoutMs} ms; output:\n${daemon.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

let lives = 0;

const ctrlAgentConfig = (dir: string, name: string, o: KeaCtrlAgentOptions): string =>
  writeConfig(dir, `${name}-kea-ctrl-agent.json`, {
    'Control-agent': {
      'http-host': o.httpHost,
      'http-port': o.httpPort,
      'control-sockets': { dhcp4: { 'socket-type': 'unix', 'socket-name': o.controlSocket } },
      ...(o.tls !== undefined
        ? { 'trust-anchor': o.tls.trustAnchor, 'cert-file': o.tls.certFile, 'key-file': o.tls.keyFile, 'cert-required': o.tls.certRequired }
        : {}),
      ...(o.basicAuth !== undefined ? { authentication: { type: 'basic', realm: 'kea-control-agent', clients: o.basicAuth } } : {}),
      loggers: [{ name: 'kea-ctrl-agent', severity: 'INFO', output_options: [{ output: 'stdout' }] }],
    },
  });

/**
 * Debian's kea-ctrl-agent in `ns` in front of a DHCPv4 server's unix control socket (Kea's or
 * tandemd's), started once that socket exists; resolves when the agent listens on its HTTP port.
 */
export const startKeaCtrlAgent = async (ns: string, dir: string, name: string, o: KeaCtrlAgentOptions): Promise<Started> => {
  lives += 1;
  const agent = startProcess(ns, 'kea-ctrl-agent', ['-c', ctrlAgentConfig(dir, name, o)], join(dir, `${name}.${lives}.kea-ctrl-agent.log`), keaEnv(dir));
  try {
    await waitForTcpListener(ns, o.httpPort, agent);
  } catch (error) {
    await agent.stop('SIGKILL', 10_000);
    throw error;
  }
  return agent;
};

/** Starts kea-dhcp4 (and the agent) and waits until the HA URL accepts connections. */
export const startKeaHaPeer = async (o: KeaHaPeerOptions): Promise<KeaHaPeer> => {
  lives += 1;
  const life = `${o.name}.${lives}`;
  const configFile = writeConfig(o.dir, `${o.name}-kea-dhcp4.json`, o.dhcp4);
  const faketimeFile = join(o.dir, `${o.name}.faketime`);
  const env: NodeJS.ProcessEnv = keaEnv(o.dir);
  const command: string[] = [];
  if (o.clockOffset !== undefined) {
    writeFileSync(faketimeFile, `${o.clockOffset}\n`);
    // `env` scopes the preload to kea-dhcp4 (not to `ip netns exec`). Monotonic time stays real so
    // Kea's timers are not disturbed when the offset changes.
    command.push(
      'env',
      `LD_PRELOAD=${LIBFAKETIME}`,
      `FAKETIME_TIMESTAMP_FILE=${faketimeFile}`,
      'FAKETIME_CACHE_DURATION=1',
      'FAKETIME_DONT_FAKE_MONOTONIC=1',
    );
  }
  command.push('kea-dhcp4', '-c', configFile);
  const [program, ...args] = command as [string, ...string[]];
  const dhcp4 = startProcess(o.ns, program, args, join(o.dir, `${life}.kea-dhcp4.log`), env);
  let agent: Started | undefined;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    await Promise.all([dhcp4.stop(signal, 10_000), agent?.stop(signal === 'SIGKILL' ? 'SIGKILL' : 'SIGTERM', 10_000)]);
    // libfaketime keeps a shared-memory segment and a semaphore named by the process id, removed at a
    // normal exit only: after a SIGKILL remove this process's pair.
    if (o.clockOffset !== undefined) {
      for (const file of [`/dev/shm/faketime_shm_${dhcp4.pid}`, `/dev/shm/sem.faketime_sem_${dhcp4.pid}`]) rmSync(file, { force: true });
    }
  };
  try {
    await dhcp4.waitFor(/DHCP4_STARTED/, 20_000);
    if (o.ctrlAgent !== undefined) {
      agent = startProcess(o.ns, 'kea-ctrl-agent', ['-c', ctrlAgentConfig(o.dir, o.name, o.ctrlAgent)], join(o.dir, `${life}.kea-ctrl-agent.log`), env);
      await waitForTcpListener(o.ns, o.haPort, agent);
    } else {
      await waitForTcpListener(o.ns, o.haPort, dhcp4);
    }
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
  return {
    name: o.name,
    configFile,
    dhcp4,
    get agent() {
      return agent;
    },
    setClockOffset: (offset) => {
      if (o.clockOffset === undefined) throw new Error(`Kea peer ${o.name} was started without a libfaketime clock offset`);
      writeFileSync(faketimeFile, `${offset}\n`);
    },
    stop,
    output: () => dhcp4.output() + (agent !== undefined ? `\n--- kea-ctrl-agent:\n${agent.output()}` : ''),
  };
};
