import { join } from 'node:path';
import { controlCommand } from '../../harness/control-client.js';
import { startTandemd, tempDir, writeConfig } from '../../harness/daemons.js';
import { createTestLan, type LanHost, type TestLan } from '../../harness/netns.js';
import type { Started } from '../../harness/processes.js';

/**
 * Real tandemd processes forming an HA relationship on a private netns LAN (test/harness/netns.ts): one
 * namespace per server, one for the clients (perfdhcp or the relay client). Servers are 198.18.0.1x, the
 * client 198.18.0.2; HA traffic between servers never leaves the namespaces.
 */
export type Role = 'primary' | 'secondary' | 'standby' | 'backup';
export type Mode = 'load-balancing' | 'hot-standby' | 'passive-backup';

export interface ServerSpec {
  readonly name: string;
  readonly role: Role;
  /** Last octet of 198.18.0.x. */
  readonly octet: number;
  readonly autoFailover?: boolean;
  /** Credentials the other servers present to this one (its own peer entry carries them too, spec §5.2). */
  readonly basicAuth?: { readonly user: string; readonly password: string };
  /** Overrides the cluster's `restrict-commands` for this server's own listener. */
  readonly restrictCommands?: boolean;
}

export interface HaTuning {
  readonly heartbeatDelayMs?: number;
  readonly maxResponseDelayMs?: number;
  readonly maxAckDelayMs?: number;
  readonly maxUnackedClients?: number;
  readonly syncPageLimit?: number;
  readonly delayedUpdatesLimit?: number;
  readonly waitBackupAck?: boolean;
  readonly restrictCommands?: boolean;
  /** Kea's `state-machine.states` list. */
  readonly pause?: readonly { readonly state: string; readonly pause: 'always' | 'once' | 'never' }[];
}

export interface ClusterSpec {
  /** Short tag for namespace names (a few letters). */
  readonly tag: string;
  readonly mode: Mode;
  readonly servers: readonly ServerSpec[];
  readonly tuning?: HaTuning;
  /** Pools of subnet 198.18.0.0/16; by default one pool, or one per scope (HA_<name>) in load-balancing. */
  readonly pools?: readonly { readonly pool: string; readonly clientClass?: string }[];
  readonly validLifetimeS?: number;
  /** HTTPS between peers: a directory with `ca.pem` and `<server name>.pem` / `.key` for each server. */
  readonly tlsDir?: string;
}

export const HA_PORT = 8000;
export const CLIENT_OCTET = 2;

/** In load-balancing, each active server allocates from its own half (Kea's recommended pool split). */
export const LB_POOLS = [
  { pool: '198.18.1.0 - 198.18.100.255', clientClass: 'HA_server1' },
  { pool: '198.18.101.0 - 198.18.200.255', clientClass: 'HA_server2' },
] as const;

export interface RunningServer {
  readonly spec: ServerSpec;
  readonly host: LanHost;
  readonly url: string;
  readonly configFile: string;
  readonly controlSocket: string;
  readonly leaseFile: string;
  readonly logFile: string;
  process: Started | undefined;
}

export const haParameters = (spec: ClusterSpec, self: string): Record<string, unknown> => {
  const own = spec.servers.find((s) => s.name === self)?.restrictCommands;
  const t = { ...spec.tuning, ...(own !== undefined ? { restrictCommands: own } : {}) };
  return {
    'high-availability': [
      {
        'this-server-name': self,
        mode: spec.mode,
        'heartbeat-delay': t.heartbeatDelayMs ?? 1000,
        'max-response-delay': t.maxResponseDelayMs ?? 3000,
        'max-ack-delay': t.maxAckDelayMs ?? 1000,
        'max-unacked-clients': t.maxUnackedClients ?? 0,
        'sync-timeout': 10_000,
        ...(t.syncPageLimit !== undefined ? { 'sync-page-limit': t.syncPageLimit } : {}),
        ...(t.delayedUpdatesLimit !== undefined ? { 'delayed-updates-limit': t.delayedUpdatesLimit } : {}),
        ...(t.waitBackupAck !== undefined ? { 'wait-backup-ack': t.waitBackupAck } : {}),
        ...(t.restrictCommands !== undefined ? { 'restrict-commands': t.restrictCommands } : {}),
        ...(t.pause !== undefined ? { 'state-machine': { states: t.pause } } : {}),
        // This server's own certificate, presented as a listener and as a client alike.
        ...(spec.tlsDir !== undefined
          ? { 'trust-anchor': `${spec.tlsDir}/ca.pem`, 'cert-file': `${spec.tlsDir}/${self}.pem`, 'key-file': `${spec.tlsDir}/${self}.key` }
          : {}),
        peers: spec.servers.map((s) => ({
          name: s.name,
          url: `${spec.tlsDir !== undefined ? 'https' : 'http'}://198.18.0.${s.octet}:${HA_PORT}/`,
          role: s.role,
          'auto-failover': s.autoFailover ?? true,
          ...(s.basicAuth !== undefined ? { 'basic-auth-user': s.basicAuth.user, 'basic-auth-password': s.basicAuth.password } : {}),
        })),
      },
    ],
  };
};

const dhcp4Document = (spec: ClusterSpec, server: RunningServer): object => {
  const pools = spec.pools ?? (spec.mode === 'load-balancing' ? LB_POOLS : [{ pool: '198.18.1.0 - 198.18.200.255' }]);
  return {
    Dhcp4: {
      'interfaces-config': { interfaces: [server.host.iface] },
      'lease-database': { type: 'memfile', name: server.leaseFile, persist: true, 'lfc-interval': 0 },
      'control-socket': { 'socket-type': 'unix', 'socket-name': server.controlSocket },
      'valid-lifetime': spec.validLifetimeS ?? 3600,
      subnet4: [
        {
          id: 1,
          subnet: '198.18.0.0/16',
          pools: pools.map((p) => ({ pool: p.pool, ...(p.clientClass !== undefined ? { 'client-class': p.clientClass } : {}) })),
        },
      ],
      'hooks-libraries': [
        { library: '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so' },
        { library: '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_ha.so', parameters: haParameters(spec, server.spec.name) },
      ],
      loggers: [{ name: 'kea-dhcp4', severity: 'INFO', output_options: [{ output: 'stdout' }] }],
    },
  };
};

export class HaCluster {
  readonly lan: TestLan;
  readonly dir: string;
  readonly servers: ReadonlyMap<string, RunningServer>;
  readonly client: LanHost;

  private constructor(readonly spec: ClusterSpec, lan: TestLan, dir: string) {
    this.lan = lan;
    this.dir = dir;
    this.client = lan.hosts.client as LanHost;
    const servers = new Map<string, RunningServer>();
    for (const s of spec.servers) {
      const host = lan.hosts[s.name] as LanHost;
      const server: RunningServer = {
        spec: s,
        host,
        url: `${spec.tlsDir !== undefined ? 'https' : 'http'}://${host.address}:${HA_PORT}/`,
        configFile: join(dir, `${s.name}.json`),
        controlSocket: join(dir, `${s.name}.sock`),
        leaseFile: join(dir, `${s.name}-leases4.csv`),
        logFile: join(dir, `${s.name}.log`),
        process: undefined,
      };
      writeConfig(dir, `${s.name}.json`, dhcp4Document(spec, server));
      servers.set(s.name, server);
    }
    this.servers = servers;
  }

  /** Creates the LAN and the configuration files; no process runs yet. */
  static create(spec: ClusterSpec): HaCluster {
    const hosts: Record<string, string> = { client: `0.${CLIENT_OCTET}` };
    for (const s of spec.servers) hosts[s.name] = `0.${s.octet}`;
    const lan = createTestLan(spec.tag, hosts);
    try {
      return new HaCluster(spec, lan, tempDir(`ha-${spec.tag}`));
    } catch (error) {
      lan.destroy();
      throw error;
    }
  }

  server(name: string): RunningServer {
    const server = this.servers.get(name);
    if (server === undefined) throw new Error(`no server '${name}' in this cluster`);
    return server;
  }

  /** Starts the named servers (all by default) at the same time and waits until each has started. */
  async start(names: readonly string[] = [...this.servers.keys()]): Promise<void> {
    await Promise.all(
      names.map(async (name) => {
        const server = this.server(name);
        // Appending keeps the log of an earlier life of the server (after a kill) for the post-mortem.
        server.process = await startTandemd(server.host.ns, server.configFile, `${server.logFile}.${Date.now()}`);
      }),
    );
  }

  /** Signals one server (by its pid) and waits for it to end. */
  async stop(name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string | undefined> {
    const server = this.server(name);
    const exit = await server.process?.stop(signal);
    return exit;
  }

  command(name: string, command: string, args?: unknown): Promise<Record<string, unknown>> {
    return controlCommand(this.server(name).controlSocket, { command, ...(args !== undefined ? { arguments: args } : {}) });
  }

  /** The server's HA state as its own ha-heartbeat answer reports it. */
  async state(name: string): Promise<string | undefined> {
    try {
      const answer = await this.command(name, 'ha-heartbeat');
      return (answer.arguments as { state?: string } | undefined)?.state;
    } catch {
      return undefined;
    }
  }

  async states(): Promise<Record<string, string | undefined>> {
    const out: Record<string, string | undefined> = {};
    for (const name of this.servers.keys()) out[name] = await this.state(name);
    return out;
  }

  /** Polls ha-heartbeat until every named server reports the expected state. */
  async waitForStates(expected: Readonly<Record<string, string>>, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let seen: Record<string, string | undefined> = {};
    for (;;) {
      seen = {};
      for (const name of Object.keys(expected)) seen[name] = await this.state(name);
      if (Object.entries(expected).every(([name, state]) => seen[name] === state)) return;
      if (Date.now() > deadline) {
        throw new Error(`servers did not reach ${JSON.stringify(expected)} within ${timeoutMs} ms; last seen ${JSON.stringify(seen)}\n${this.logTails()}`);
      }
      await sleep(200);
    }
  }

  /** Every lease the server holds, as lease4-get-all lists it, keyed by address. */
  async leases(name: string): Promise<Map<string, Record<string, unknown>>> {
    const answer = await this.command(name, 'lease4-get-all');
    const list = ((answer.arguments as { leases?: Record<string, unknown>[] } | undefined)?.leases ?? []);
    return new Map(list.map((lease) => [lease['ip-address'] as string, lease]));
  }

  /** Waits until each named server holds `count` leases (updates still in flight after a client gave up). */
  async waitForLeaseCount(names: readonly string[], count: number, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const sizes = await Promise.all(names.map(async (name) => (await this.leases(name)).size));
      if (sizes.every((size) => size >= count)) return;
      if (Date.now() > deadline) throw new Error(`lease counts ${JSON.stringify(sizes)} of ${names.join(', ')} did not reach ${count} within ${timeoutMs} ms`);
      await sleep(200);
    }
  }

  logTails(lines = 25): string {
    return [...this.servers.values()]
      .map((s) => `--- ${s.spec.name} (${s.process?.logFile ?? 'not started'}):\n${(s.process?.output() ?? '').split('\n').slice(-lines).join('\n')}`)
      .join('\n');
  }

  /** Stops every server still running (by pid) and removes the namespaces; safe to call twice. */
  async destroy(): Promise<void> {
    await Promise.allSettled([...this.servers.values()].map((s) => s.process?.stop('SIGTERM', 5000)));
    this.lan.destroy();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The lease fields both peers must agree on. */
export const leaseFacts = (lease: Record<string, unknown>): string =>
  JSON.stringify([lease['ip-address'], lease['hw-address'], lease['client-id'] ?? null, lease.cltt, lease['valid-lft'], lease['subnet-id'], lease.state]);
