import { cpSync, existsSync, lstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { controlCommand } from '../../harness/control-client.js';
import { requireBuiltTandemd, tempDir, writeConfig } from '../../harness/daemons.js';
import { startKeaCtrlAgent, startKeaHaPeer, waitForTcpListener, type KeaCtrlAgentOptions, type KeaHaPeer } from '../../harness/kea-ha.js';
import { createTestLan, type LanHost, type TestLan } from '../../harness/netns.js';
import { startProcess, type Started } from '../../harness/processes.js';
import { dhcp4Document, haPort, peerAddress, peerUrl, type PeerSpec, type RelationshipSpec } from './pair-config.js';

/**
 * A relationship of real tandemd and real Kea 2.2 processes on a private netns LAN: one namespace per
 * server (198.18.0.<octet>) and one for the clients (198.18.0.2). Both kinds of server are queried the
 * same way, over their unix control sockets, so every check reads Tandem and Kea alike.
 */
export const CLIENT_OCTET = 2;

/**
 * The pair's files (configurations, memfiles, sockets, logs) live in RAM when /dev/shm exists. tandemd
 * fdatasyncs its memfile before it answers (Kea 2.2 does not sync at all); on a machine whose disk is
 * busy with other work a sync can stall for seconds, every parked ACK with it, which would make a
 * protocol test fail on disk latency.
 */
const workDir = (tag: string): string =>
  existsSync('/dev/shm') ? mkdtempSync(join('/dev/shm', `tandem-interop-${tag}-`)) : tempDir(`interop-${tag}`);

/**
 * The tandemd the pair runs: the repository's build (packages/server/dist), or the bundle named by
 * TANDEM_INTEROP_TANDEMD — e.g. a release candidate checked against Kea, or a private build while
 * packages/server/dist is being rebuilt by someone else.
 */
const tandemdBundle = (): string => process.env.TANDEM_INTEROP_TANDEMD ?? requireBuiltTandemd();

export interface MixedServer {
  readonly spec: PeerSpec;
  readonly host: LanHost;
  readonly url: string;
  readonly dir: string;
  readonly leaseFile: string;
  readonly controlSocket: string;
  running: { readonly kind: 'tandem'; readonly process: Started; readonly agent: Started | undefined } | { readonly kind: 'kea'; readonly peer: KeaHaPeer } | undefined;
  /** Logs of earlier lives (after a kill), for the post-mortem. */
  readonly pastOutput: string[];
}

export type Lease = Record<string, unknown>;

export interface StartOptions {
  /** libfaketime offset for a Kea server (e.g. `+75s`). */
  readonly clockOffset?: string;
}

export class MixedPair {
  readonly servers: ReadonlyMap<string, MixedServer>;
  readonly client: LanHost;

  private constructor(
    readonly spec: RelationshipSpec,
    readonly lan: TestLan,
    readonly dir: string,
  ) {
    this.client = lan.hosts.client as LanHost;
    const servers = new Map<string, MixedServer>();
    for (const peer of spec.peers) {
      const host = lan.hosts[peer.name] as LanHost;
      const server: MixedServer = {
        spec: peer,
        host,
        url: peerUrl(peer, spec.tls !== undefined ? 'https' : 'http'),
        dir,
        leaseFile: join(dir, `${peer.name}-leases4.csv`),
        controlSocket: join(dir, `${peer.name}.sock`),
        running: undefined,
        pastOutput: [],
      };
      servers.set(peer.name, server);
    }
    this.servers = servers;
  }

  /** Creates the LAN; nothing runs yet. `tag` is a few letters for the namespace names. */
  static create(tag: string, spec: RelationshipSpec): MixedPair {
    const hosts: Record<string, string> = { client: `0.${CLIENT_OCTET}` };
    for (const peer of spec.peers) hosts[peer.name] = `0.${peer.octet}`;
    const lan = createTestLan(tag, hosts);
    try {
      return new MixedPair(spec, lan, workDir(tag));
    } catch (error) {
      lan.destroy();
      throw error;
    }
  }

  server(name: string): MixedServer {
    const server = this.servers.get(name);
    if (server === undefined) throw new Error(`no server '${name}' in this relationship`);
    return server;
  }

  /** Who this is, for messages: `server1 (tandem primary)`. */
  describe(name: string): string {
    const s = this.server(name).spec;
    return `${name} (${s.impl}${s.impl === 'kea' || s.transport === 'ctrl-agent' ? `/${s.transport ?? 'dedicated'}` : ''} ${s.role})`;
  }

  /** Writes a Kea 2.2 memfile for a server that is not running (its leases are loaded at start). */
  preloadLeases(name: string, leases: readonly PreloadedLease[]): void {
    writeFileSync(this.server(name).leaseFile, keaMemfile(leases));
  }

  /**
   * Starts the named servers (all by default); each counts as started once its HA URL listens. tandemd
   * processes are started first, Kea's right after: tandemd's start-up (node, loading the memfile)
   * varies most on a loaded machine, and HA treats the servers as starting together only if each is
   * up before the other's max-response-delay runs out — otherwise the first one alone goes
   * partner-down (SM-13), a different scenario. Kea starts within a fraction of a second, so both
   * still meet in `waiting` (§3.7).
   */
  async start(names: readonly string[] = [...this.servers.keys()], options: Readonly<Record<string, StartOptions>> = {}): Promise<void> {
    const tandems = names.filter((name) => this.server(name).spec.impl === 'tandem');
    const keas = names.filter((name) => this.server(name).spec.impl === 'kea');
    await Promise.all(tandems.map((name) => this.#startOne(name, options[name] ?? {})));
    await Promise.all(keas.map((name) => this.#startOne(name, options[name] ?? {})));
  }

  async #startOne(name: string, options: StartOptions): Promise<void> {
    const server = this.server(name);
    if (server.running !== undefined) throw new Error(`${this.describe(name)} is already running`);
    const document = dhcp4Document(this.spec, server.spec, { iface: server.host.iface, leaseFile: server.leaseFile, controlSocket: server.controlSocket });
    if (server.spec.impl === 'tandem') {
      const configFile = writeConfig(this.dir, `${name}-tandemd.json`, document);
      const process = startProcess(server.host.ns, globalThis.process.execPath, [tandemdBundle(), '-c', configFile], join(this.dir, `${name}.${Date.now()}.tandemd.log`));
      server.running = { kind: 'tandem', process, agent: undefined };
      await process.waitFor(/"msgId":"DHCP4_STARTED"/);
      if (server.spec.transport === 'ctrl-agent') {
        const agent = await startKeaCtrlAgent(server.host.ns, this.dir, name, this.#agentOptions(server));
        server.running = { kind: 'tandem', process, agent };
        return;
      }
      await waitForTcpListener(server.host.ns, haPort(server.spec), process);
      return;
    }
    const agent = (server.spec.transport ?? 'dedicated') === 'ctrl-agent';
    const peer = await startKeaHaPeer({
      name,
      ns: server.host.ns,
      dir: this.dir,
      dhcp4: document,
      haPort: haPort(server.spec),
      ...(agent ? { ctrlAgent: this.#agentOptions(server) } : {}),
      ...(options.clockOffset !== undefined ? { clockOffset: options.clockOffset } : {}),
    });
    server.running = { kind: 'kea', peer };
  }

  /**
   * kea-ctrl-agent in front of `server`: at its peer URL, HTTPS with the server's own certificate
   * (client certificates required as the relationship says) when the relationship uses TLS, and
   * Basic auth accepting exactly the credentials the other peers send to this server.
   */
  #agentOptions(server: MixedServer): KeaCtrlAgentOptions {
    const files = this.spec.tls?.[server.spec.name];
    const credentials = this.spec.peers
      .filter((p) => p.name !== server.spec.name)
      .flatMap((p) => {
        const auth = this.spec.basicAuth?.(p, server.spec);
        return auth === undefined ? [] : [auth];
      });
    return {
      httpHost: peerAddress(server.spec),
      httpPort: haPort(server.spec),
      controlSocket: server.controlSocket,
      ...(files !== undefined ? { tls: { ...files, certRequired: this.spec.requireClientCerts ?? true } } : {}),
      ...(credentials.length > 0 ? { basicAuth: credentials } : {}),
    };
  }

  /** Signals one server by pid (Kea: kea-dhcp4 and its agent) and waits for it to end. */
  async stop(name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const server = this.server(name);
    const running = server.running;
    if (running === undefined) return;
    if (running.kind === 'tandem') await Promise.all([running.process.stop(signal, 10_000), running.agent?.stop(signal === 'SIGKILL' ? 'SIGKILL' : 'SIGTERM', 10_000)]);
    else await running.peer.stop(signal);
    server.pastOutput.push(this.output(name));
    server.running = undefined;
  }

  kea(name: string): KeaHaPeer {
    const running = this.server(name).running;
    if (running?.kind !== 'kea') throw new Error(`${this.describe(name)} is not a running Kea server`);
    return running.peer;
  }

  output(name: string): string {
    const running = this.server(name).running;
    if (running === undefined) return '';
    if (running.kind === 'kea') return running.peer.output();
    return running.process.output() + (running.agent !== undefined ? `\n--- kea-ctrl-agent:\n${running.agent.output()}` : '');
  }

  command(name: string, command: string, args?: unknown): Promise<Record<string, unknown>> {
    return controlCommand(this.server(name).controlSocket, { command, ...(args !== undefined ? { arguments: args } : {}) });
  }

  /** The server's HA state as its own ha-heartbeat answer reports it (undefined while it cannot answer). */
  async state(name: string): Promise<string | undefined> {
    if (this.server(name).running === undefined) return undefined;
    try {
      const answer = await this.command(name, 'ha-heartbeat');
      return (answer.arguments as { state?: string } | undefined)?.state;
    } catch {
      return undefined;
    }
  }

  async states(names: readonly string[] = [...this.servers.keys()]): Promise<Record<string, string | undefined>> {
    const out: Record<string, string | undefined> = {};
    for (const name of names) out[name] = await this.state(name);
    return out;
  }

  /** Polls ha-heartbeat until every named server reports its expected state. */
  async waitForStates(expected: Readonly<Record<string, string>>, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = await this.states(Object.keys(expected));
      if (Object.entries(expected).every(([name, state]) => seen[name] === state)) return;
      if (Date.now() > deadline) {
        throw new Error(`servers did not reach ${JSON.stringify(expected)} within ${timeoutMs} ms; last seen ${JSON.stringify(seen)}\n${this.logTails()}`);
      }
      await sleep(200);
    }
  }

  /** Every lease the server holds, by lease4-get-all, keyed by address. */
  async leases(name: string): Promise<Map<string, Lease>> {
    const answer = await this.command(name, 'lease4-get-all');
    if (answer.result !== 0 && answer.result !== 3) throw new Error(`lease4-get-all on ${this.describe(name)} failed: ${JSON.stringify(answer)}`);
    const list = (answer.arguments as { leases?: Lease[] } | undefined)?.leases ?? [];
    return new Map(list.map((lease) => [lease['ip-address'] as string, lease]));
  }

  /** A Kea statistic (e.g. `pkt4-ack-sent`) as `statistic-get` reports it: its latest value. */
  async statistic(name: string, statistic: string): Promise<number> {
    const answer = await this.command(name, 'statistic-get', { name: statistic });
    const samples = (answer.arguments as Record<string, [number, string][]> | undefined)?.[statistic];
    return samples?.[0]?.[0] ?? 0;
  }

  logTails(lines = 30): string {
    return [...this.servers.keys()]
      .map((name) => `--- ${this.describe(name)}:\n${this.output(name).split('\n').slice(-lines).join('\n')}`)
      .join('\n');
  }

  /**
   * Stops every process still running (by pid), removes the namespaces and moves the files out of RAM
   * to the temporary directory (kept there for the post-mortem, sockets left out); safe to call twice.
   */
  async destroy(): Promise<void> {
    await Promise.allSettled([...this.servers.keys()].map((name) => this.stop(name, 'SIGKILL')));
    this.lan.destroy();
    if (this.dir.startsWith('/dev/shm/') && existsSync(this.dir)) {
      cpSync(this.dir, join(tmpdir(), basename(this.dir)), { recursive: true, filter: (source) => !lstatSync(source).isSocket() });
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface PreloadedLease {
  readonly address: string;
  readonly hwAddress: string;
  readonly clientId?: string;
  readonly validLifetimeS: number;
  readonly expireS: number;
  readonly hostname?: string;
}

/** A memfile exactly as kea-dhcp4 2.2 writes one (its 11 columns, `lfc`-compacted form). */
export const keaMemfile = (leases: readonly PreloadedLease[]): string =>
  [
    'address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context',
    ...leases.map((l) => [l.address, l.hwAddress, l.clientId ?? '', l.validLifetimeS, l.expireS, 1, 0, 0, l.hostname ?? '', 0, ''].join(',')),
    '',
  ].join('\n');

/**
 * `count` leases in consecutive addresses from `first` (e.g. `198.18.201.0`), outside the pools the
 * pair allocates from, each with its own MAC under `macPrefix` (three bytes) and a client-id, valid
 * for another hour.
 */
export const bulkLeases = (first: string, count: number, macPrefix: string, nowS = Math.floor(Date.now() / 1000)): PreloadedLease[] => {
  const base = first.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  return Array.from({ length: count }, (_, i) => {
    const n = base + i;
    const address = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
    const mac = `${macPrefix}:${[(i >> 16) & 255, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
    return { address, hwAddress: mac, clientId: `01:${mac}`, validLifetimeS: 3600, expireS: nowS - 60 + 3600, hostname: `host-${i}.example.org` };
  });
};

/** The lease facts both servers of a pair must agree on. */
export const leaseFacts = (lease: Lease): string =>
  JSON.stringify([
    lease['ip-address'],
    lease['hw-address'],
    lease['client-id'] ?? null,
    lease.cltt,
    lease['valid-lft'],
    lease['subnet-id'],
    lease.state,
    lease.hostname ?? '',
    lease['fqdn-fwd'] ?? false,
    lease['fqdn-rev'] ?? false,
  ]);
