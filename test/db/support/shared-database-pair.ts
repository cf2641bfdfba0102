import { join } from 'node:path';
import { controlCommand } from '../../harness/control-client.js';
import { startTandemd, tempDir, writeConfig } from '../../harness/daemons.js';
import { createTestLan, type LanHost, type TestLan } from '../../harness/netns.js';
import type { ThrowawayPostgres } from '../../harness/postgres.js';
import type { Started } from '../../harness/processes.js';
import { pgLeaseDatabase, sleep } from './postgresql-dhcp.js';

/**
 * The "database replication" deployment of Kea's HA chapter: two tandemd peers in load-balancing
 * whose lease database is one and the same PostgreSQL database, so neither sends lease updates
 * (`send-lease-updates: false`) nor synchronises from the other (`sync-leases: false`). Servers are
 * 198.18.0.11 and .12 in their own namespaces, the clients 198.18.0.2; HA traffic stays on that LAN.
 */
export const HA_PORT = 8000;
export const LEASE_CMDS = '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so';
export const LIBDHCP_HA = '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_ha.so';

/** Each active server allocates from its own half of the pool (Kea's recommended split). */
export const SHARED_POOLS = [
  { pool: '198.18.1.0 - 198.18.100.255', 'client-class': 'HA_server1' },
  { pool: '198.18.101.0 - 198.18.200.255', 'client-class': 'HA_server2' },
] as const;

const PEERS = [
  { name: 'server1', role: 'primary', octet: 11 },
  { name: 'server2', role: 'secondary', octet: 12 },
] as const;

export type PeerName = (typeof PEERS)[number]['name'];

export const replicationHaParameters = (self: PeerName): Record<string, unknown> => ({
  'high-availability': [
    {
      'this-server-name': self,
      mode: 'load-balancing',
      'heartbeat-delay': 1000,
      'max-response-delay': 3000,
      'max-ack-delay': 1000,
      'max-unacked-clients': 0,
      // The deployment under test: the database is shared, so there is nothing to send or to fetch.
      'send-lease-updates': false,
      'sync-leases': false,
      peers: PEERS.map((p) => ({ name: p.name, url: `http://198.18.0.${p.octet}:${HA_PORT}/`, role: p.role, 'auto-failover': true })),
    },
  ],
});

interface Peer {
  readonly name: PeerName;
  readonly host: LanHost;
  readonly configFile: string;
  readonly controlSocket: string;
  process: Started | undefined;
  /** Every life of the server, for post-mortems and log checks. */
  readonly lives: Started[];
}

export class SharedDatabasePair {
  readonly client: LanHost;
  readonly #peers: ReadonlyMap<PeerName, Peer>;

  private constructor(
    readonly lan: TestLan,
    readonly dir: string,
    pg: ThrowawayPostgres,
    database: string,
  ) {
    this.client = lan.hosts.client!;
    const peers = new Map<PeerName, Peer>();
    for (const p of PEERS) {
      const host = lan.hosts[p.name]!;
      const controlSocket = join(dir, `${p.name}.sock`);
      const configFile = writeConfig(dir, `${p.name}.json`, {
        Dhcp4: {
          'interfaces-config': { interfaces: [host.iface] },
          // Both servers: the same database, and Kea's reconnect control so a short outage is ridden out.
          'lease-database': pgLeaseDatabase(pg, database, { 'max-reconnect-tries': 10, 'reconnect-wait-time': 1000 }),
          'control-socket': { 'socket-type': 'unix', 'socket-name': controlSocket },
          'valid-lifetime': 3600,
          subnet4: [{ id: 1, subnet: '198.18.0.0/16', pools: SHARED_POOLS }],
          'hooks-libraries': [{ library: LEASE_CMDS }, { library: LIBDHCP_HA, parameters: replicationHaParameters(p.name) }],
          loggers: [{ name: 'kea-dhcp4', severity: 'INFO', output_options: [{ output: 'stdout' }] }],
        },
      });
      peers.set(p.name, { name: p.name, host, configFile, controlSocket, process: undefined, lives: [] });
    }
    this.#peers = peers;
  }

  static create(tag: string, pg: ThrowawayPostgres, database: string): SharedDatabasePair {
    const lan = createTestLan(tag, { client: '0.2', ...Object.fromEntries(PEERS.map((p) => [p.name, `0.${p.octet}`])) });
    try {
      return new SharedDatabasePair(lan, tempDir(`repl-${tag}`), pg, database);
    } catch (error) {
      lan.destroy();
      throw error;
    }
  }

  peer(name: PeerName): Peer {
    return this.#peers.get(name)!;
  }

  get addresses(): string[] {
    return [...this.#peers.values()].map((p) => p.host.address);
  }

  /** Starts the named servers at the same moment and waits until each has started. */
  async start(names: readonly PeerName[] = ['server1', 'server2']): Promise<void> {
    await Promise.all(
      names.map(async (name) => {
        const peer = this.peer(name);
        const process = await startTandemd(peer.host.ns, peer.configFile, join(this.dir, `${name}.${peer.lives.length + 1}.log`));
        peer.process = process;
        peer.lives.push(process);
      }),
    );
  }

  async stop(name: PeerName, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string | undefined> {
    const peer = this.peer(name);
    const exit = await peer.process?.stop(signal);
    peer.process = undefined;
    return exit;
  }

  command(name: PeerName, command: string, args?: unknown): Promise<Record<string, unknown>> {
    return controlCommand(this.peer(name).controlSocket, { command, ...(args !== undefined ? { arguments: args } : {}) });
  }

  async state(name: PeerName): Promise<string | undefined> {
    try {
      const answer = await this.command(name, 'ha-heartbeat');
      return (answer.arguments as { state?: string } | undefined)?.state;
    } catch {
      return undefined;
    }
  }

  async waitForStates(expected: Partial<Record<PeerName, string>>, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen: Record<string, string | undefined> = {};
      for (const name of Object.keys(expected) as PeerName[]) seen[name] = await this.state(name);
      if (Object.entries(expected).every(([name, state]) => seen[name] === state)) return;
      if (Date.now() > deadline) throw new Error(`not in ${JSON.stringify(expected)} after ${timeoutMs} ms; seen ${JSON.stringify(seen)}\n${this.logTails()}`);
      await sleep(200);
    }
  }

  /** Every log record of every life of the server, parsed. */
  records(name: PeerName): Array<Record<string, unknown>> {
    return this.peer(name)
      .lives.flatMap((life) => life.output().split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** The commands the server received (control socket and HA listener), by name, with how often. */
  commandsReceived(name: PeerName): Map<string, number> {
    const counts = new Map<string, number>();
    for (const record of this.records(name)) {
      if (record.msgId !== 'COMMAND_RECEIVED') continue;
      const command = String(record.command);
      counts.set(command, (counts.get(command) ?? 0) + 1);
    }
    return counts;
  }

  logTails(lines = 20): string {
    return [...this.#peers.values()]
      .map((p) => `--- ${p.name}:\n${(p.process?.output() ?? p.lives.at(-1)?.output() ?? '').split('\n').slice(-lines).join('\n')}`)
      .join('\n');
  }

  async destroy(): Promise<void> {
    await Promise.allSettled([...this.#peers.values()].map((p) => p.process?.stop('SIGTERM', 5000)));
    this.lan.destroy();
  }
}
