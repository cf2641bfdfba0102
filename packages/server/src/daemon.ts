import os from 'node:os';
import { AllocationEngine, MessageType, decodePacket, encodePacket, messageType, messageTypeName, type Dhcp4Packet } from '@tandem/dhcp4';
import type { LeaseStore, PostgresqlConnectionEvent } from '@tandem/leases';
import { match } from 'ts-pattern';
import type { ControlAnswer } from './commands/answer.js';
import { daemonCommands, type DaemonCommandContext } from './commands/daemon-commands.js';
import type { JsonMap } from './commands/json.js';
import { lease4Commands, type LeaseCommandContext } from './commands/lease4-commands.js';
import { CommandRegistry } from './commands/registry.js';
import { subnetCatalog, type SubnetCatalog } from './commands/subnet-catalog.js';
import { ConfigError } from './config/config-error.js';
import { parseServerConfig, type ServerConfig } from './config/server-config.js';
import { UnixControlSocket } from './control/unix-control-socket.js';
import { bindAddressFor, ownAddresses, receivingInterface, selectInterfaces, type InterfaceTable, type LocalInterface } from './dhcp/local-interfaces.js';
import { PacketStatistics, statisticTimestamp } from './dhcp/packet-statistics.js';
import { PendingAllocations } from './dhcp/pending-allocations.js';
import { haQueryOf, isClientQuery, queryLabel } from './dhcp/query-view.js';
import { finalDestination, type Destination } from './dhcp/reply-destination.js';
import { UdpEndpoint, type Datagram } from './dhcp/udp-endpoint.js';
import { dhcpSubnets, reclamationSettings, type ReclamationSettings } from './dhcp/dhcp-config-view.js';
import { withoutHa, type DhcpHaHooks, type HaQuery } from './ha-hooks.js';
import { HaService } from './ha/ha-service.js';
import type { DaemonLog } from './log/logger.js';
import { MSG } from './log/message-ids.js';
import { reactToConnectionEvent } from './service/db-reconnect-policy.js';
import { NetworkState } from './service/network-state.js';
import { openLeaseDatabase, type LeaseDatabaseConnection } from './service/open-lease-database.js';
import { TANDEM_VERSION, extendedVersion } from './version.js';

export type CommandContext = LeaseCommandContext & DaemonCommandContext;

export interface DaemonOptions {
  readonly config: ServerConfig;
  /** `-p`: the UDP port to listen on; 67 when absent. */
  readonly port?: number;
  readonly log: DaemonLog;
  readonly hooks?: DhcpHaHooks<CommandContext>;
  /** Defaults to `os.networkInterfaces()`; tests pass their own. */
  readonly interfaceTable?: InterfaceTable;
  /** Called once the daemon has stopped, with the exit value (shutdown command, signal). */
  readonly onStopped?: (exitValue: number) => void;
}

/** Queries in progress beyond this are dropped (a bound, like Kea's packet queue). */
const MAX_BACKLOG = 1024;
/**
 * Overload control: while the oldest query still being allocated has waited longer than this, new
 * DISCOVERs are dropped, and every new query beyond the second bound. Without it a lease database
 * slower than the offered load (a PostgreSQL round trip per statement) lets up to MAX_BACKLOG queries
 * pile up, and every client is answered after it gave up: the server does full work for nobody.
 * Dropping new exchanges first keeps the ones under way (REQUESTs, renewals) on time. Kea's bounded
 * kernel socket buffer limits its wait similarly (dropping whatever arrives). Answers parked for HA
 * acknowledgements are past allocation and do not count.
 */
const MAX_DISCOVER_DELAY_MS = 250;
const MAX_ALLOCATION_DELAY_MS = 1_000;
/** How long a graceful stop waits for in-flight queries and parked answers. */
const DRAIN_TIMEOUT_MS = 5_000;

interface Allocated {
  readonly packet: Dhcp4Packet;
  readonly view: HaQuery;
  readonly response: Dhcp4Packet;
  readonly destination: Destination;
  readonly changes: { readonly updated: readonly import('@tandem/leases').Lease4[]; readonly deleted: readonly import('@tandem/leases').Lease4[] };
}

/**
 * tandemd: the imperative shell around the pure allocation engine. It owns the socket, the lease store,
 * the clock, the control channel and the HA seam, and performs what the engine decides.
 *
 * Queries are processed concurrently, up to a fixed bound: the engine claims every client and address it
 * works on, so interleaved queries never pick the same address, and a query waiting for the lease file's
 * group commit (or, with HA, for a partner's acknowledgement) does not hold up the others.
 */
export class Daemon {
  readonly #options: DaemonOptions;
  readonly #config: ServerConfig;
  readonly #log: DaemonLog;
  readonly #hooks: DhcpHaHooks<CommandContext>;
  readonly #store: LeaseStore;
  readonly #engine: AllocationEngine;
  readonly #interfaces: readonly LocalInterface[];
  /** Server identifiers that are this server's by address (Kea: addresses with an open socket). */
  readonly #ownAddresses: ReadonlySet<string>;
  readonly #serverPort: number;
  readonly #networkState = new NetworkState();
  readonly #registry = new CommandRegistry<CommandContext>();
  readonly #subnets: SubnetCatalog;
  readonly #reclamation: ReclamationSettings;
  readonly #startedMs = Date.now();
  #endpoint: UdpEndpoint | undefined;
  #control: UnixControlSocket | undefined;
  #backlog = 0;
  readonly #allocating = new PendingAllocations();
  #parked = 0;
  /** Queries dropped with the parking lot full, for the rate-limited warning. */
  #parkingLotFullDrops = 0;
  #limitedBroadcastUnroutable = false;
  #inFlight = new Set<Promise<void>>();
  #reclaimTimer: NodeJS.Timeout | undefined;
  #stopping: Promise<void> | undefined;
  readonly stats = { received: 0, unanswered: 0, sent: 0, parseFailed: 0, sendFailed: 0 };
  /** Kea's statistics by Kea's names, for statistic-get. */
  readonly #packetStatistics = new PacketStatistics(this.#startedMs);

  private constructor(options: DaemonOptions, store: LeaseStore, interfaces: readonly LocalInterface[], own: ReadonlySet<string>) {
    this.#options = options;
    this.#config = options.config;
    this.#log = options.log;
    this.#hooks =
      options.hooks ?? (this.#config.daemon.ha !== undefined ? new HaService({ config: this.#config.daemon.ha.relationship, transport: this.#config.daemon.ha.transport, log: options.log }) : (withoutHa as DhcpHaHooks<CommandContext>));
    this.#store = store;
    this.#engine = new AllocationEngine(this.#config.dhcp, store);
    this.#interfaces = interfaces;
    this.#ownAddresses = own;
    this.#serverPort = options.port ?? 67;
    this.#subnets = subnetCatalog(dhcpSubnets(this.#config.dhcp));
    this.#reclamation = reclamationSettings(this.#config.dhcp);
    this.#commandContext = this.#makeCommandContext();
    // With HA loaded, dhcp-disable/dhcp-enable are HA's: the machine's network locks are the one record of the service (spec §11).
    this.#registry.registerAll(Object.fromEntries(Object.entries(daemonCommands).filter(([name]) => !(name in this.#hooks.commands))));
    if (this.#config.daemon.hooksLibraries.some((l) => l.kind === 'lease-cmds')) this.#registry.registerAll(lease4Commands);
    this.#registry.registerAll(this.#hooks.commands);
  }

  static async start(options: DaemonOptions): Promise<Daemon> {
    const { config, log } = options;
    log.info(MSG.DHCP4_STARTING, `tandemd ${TANDEM_VERSION} starting`, { config: config.source });
    for (const warning of config.warnings) {
      log.warn(MSG.DHCP4_DEPRECATED_SETTING, `${warning.path}: ${warning.text}`, { path: warning.path });
    }
    const table = options.interfaceTable ?? os.networkInterfaces();
    const interfaces = selectInterfaces(config.daemon.interfaces.interfaces, table);
    if (interfaces.length === 0) {
      throw new ConfigError('$.Dhcp4.interfaces-config/interfaces selects no interface with an IPv4 address: tandemd would answer nobody');
    }
    if (interfaces.length > 1) {
      log.warn(MSG.DHCP4_INTERFACE_AMBIGUOUS, 'several interfaces configured: a broadcast from a client without an address is taken as received on the first one; relayed and renewing clients are unaffected', {
        interfaces: interfaces.map((i) => `${i.name}/${i.address}`),
      });
    }
    const { store, connection } = await openLeaseDatabase(config, log);
    const daemon = new Daemon(options, store, interfaces, ownAddresses(config.daemon.interfaces.interfaces, table));
    connection?.watch((event) => daemon.#databaseConnection(connection, event));
    try {
      await daemon.#open();
    } catch (error) {
      await daemon.#closeResources();
      throw error;
    }
    return daemon;
  }

  get port(): number {
    return this.#endpoint?.port ?? this.#serverPort;
  }

  get leaseStore(): LeaseStore {
    return this.#store;
  }

  async #open(): Promise<void> {
    const { daemon } = this.#config;
    for (const library of daemon.hooksLibraries) {
      this.#log.info(MSG.HOOKS_LIBRARY_LOADED, `hooks library ${library.library} provided by Tandem (built in)`, { kind: library.kind });
    }
    if (daemon.controlSocket !== undefined) {
      this.#control = await UnixControlSocket.open({
        path: daemon.controlSocket.path,
        dispatch: (request) => this.dispatch(request),
        onError: (error) => this.#log.warn(MSG.COMMAND_SOCKET_READ_FAIL, `control connection failed: ${error.message}`),
      });
      this.#log.info(MSG.COMMAND_ACCEPTOR_START, `control socket listening on ${daemon.controlSocket.path}`);
    }
    await this.#hooks.start(
      {
        disable: (maxPeriodS) => this.#networkState.disable('ha', maxPeriodS),
        enable: () => this.#networkState.enable('ha'),
        isEnabled: () => this.#networkState.isEnabled(),
      },
      { store: this.#store, dispatch: (request) => this.dispatch(request) },
    );
    this.#networkState.onChange((enabled) =>
      enabled
        ? this.#log.info(MSG.DHCP4_DHCP_ENABLE, 'DHCP service enabled')
        : this.#log.info(MSG.DHCP4_DHCP_DISABLE, 'DHCP service disabled'),
    );
    const bindAddress = bindAddressFor(this.#interfaces);
    try {
      this.#endpoint = await UdpEndpoint.bind(bindAddress, this.#serverPort, (d) => this.#receive(d));
    } catch (error) {
      this.#log.error(MSG.DHCP4_OPEN_SOCKET_FAIL, `failed to open UDP socket on ${bindAddress}:${this.#serverPort}: ${(error as Error).message}`);
      throw error;
    }
    this.#log.info(MSG.DHCP4_OPEN_SOCKET, `listening on ${bindAddress}:${this.port}`, {
      interfaces: this.#interfaces.map((i) => `${i.name}/${i.address}`),
    });
    this.#scheduleReclamation();
    this.#log.info(MSG.DHCP4_STARTED, `tandemd ${TANDEM_VERSION} started`, { port: this.port, leases: await this.#store.count() });
  }

  /** Kea's on-fail for a lost lease database: the DB-connection origin of the service, and exit when told to. */
  #databaseConnection(connection: LeaseDatabaseConnection, event: PostgresqlConnectionEvent): void {
    if (this.#stopping !== undefined) return;
    const reaction = reactToConnectionEvent(connection.policy, event, connection.where);
    this.#log[reaction.log.level](reaction.log.msgId, reaction.log.text, { onFail: connection.policy.onFail });
    match(reaction.service)
      .with('disable', () => this.#networkState.disable('db-connection'))
      .with('enable', () => this.#networkState.enable('db-connection'))
      .with('unchanged', () => undefined)
      .exhaustive();
    if (reaction.exit) void this.stop(`lease database ${connection.where} unreachable, on-fail '${connection.policy.onFail}'`, 1);
  }

  /** One control-channel request, from any transport. */
  dispatch(request: unknown): Promise<ControlAnswer> {
    return this.#registry.dispatch(request, this.#commandContext, {
      received: (command) => this.#log.info(MSG.COMMAND_RECEIVED, `received command '${command.name}'`, { command: command.name }),
      failed: (command, reason) => this.#log.warn(MSG.COMMAND_PROCESS_ERROR1, reason, { command: command?.name }),
    });
  }

  readonly #commandContext: CommandContext;

  #makeCommandContext(): CommandContext {
    return {
    store: this.#store,
    subnets: this.#subnets,
    nowS: () => Math.floor(Date.now() / 1000),
    version: TANDEM_VERSION,
    extendedVersion: extendedVersion(),
    configJson: () => this.#config.json,
    testConfig: async (dhcp4: JsonMap) => {
      try {
        parseServerConfig({ Dhcp4: dhcp4 }, '<config-test>');
        return undefined;
      } catch (error) {
        if (error instanceof ConfigError) return error.message;
        throw error;
      }
    },
    status: () => this.#status(),
    reclaimExpired: (remove: boolean) => this.#reclaim(Number.MAX_SAFE_INTEGER, remove),
    shutdown: (exitValue: number) => {
      // Answer first, then stop: the command's caller must get its reply.
      setImmediate(() => void this.stop('shutdown command', exitValue));
    },
    disableService: (origin, maxPeriodS) => this.#networkState.disable(origin, maxPeriodS),
    enableService: (origin) => this.#networkState.enable(origin),
    statistic: (name) => {
      const sample = this.#packetStatistics.get(name);
      return sample === undefined ? undefined : [sample.value, statisticTimestamp(sample.sampledMs)];
    },
    };
  }

  #status(): JsonMap {
    const now = Date.now();
    const ha = this.#hooks.statusSection();
    return {
      pid: process.pid,
      uptime: Math.floor((now - this.#startedMs) / 1000),
      reload: Math.floor((now - this.#startedMs) / 1000),
      'multi-threading-enabled': false,
      sockets: { status: this.#endpoint !== undefined ? 'ready' : 'failed' },
      ...(ha !== undefined ? { 'high-availability': ha } : {}),
    };
  }

  #receive(datagram: Datagram): void {
    if (this.#stopping !== undefined) return;
    this.stats.received += 1;
    if (this.#backlog >= MAX_BACKLOG) {
      this.stats.unanswered += 1;
      if (this.#log.isDebug()) this.#log.debug(MSG.DHCP4_QUEUE_FULL, 'too many queries in progress: query dropped', { from: datagram.address });
      return;
    }
    this.#backlog += 1;
    const work = this.#allocate(datagram)
      .then((allocated) => (allocated === undefined ? undefined : this.#answer(allocated)))
      .catch((error: unknown) => {
        this.stats.unanswered += 1;
        this.#log.error(MSG.DHCP4_PACKET_PROCESS_EXCEPTION, `query from ${datagram.address}:${datagram.port} failed: ${(error as Error).message}`, {
          stack: (error as Error).stack,
        });
      })
      .finally(() => {
        this.#backlog -= 1;
      });
    this.#track(work);
  }

  #track(work: Promise<void>): void {
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  #drop(reason: string, datagram: Datagram, packet?: Dhcp4Packet): undefined {
    this.stats.unanswered += 1;
    if (this.#log.isDebug()) {
      this.#log.debug(MSG.DHCP4_QUERY_DROPPED, reason, { from: `${datagram.address}:${datagram.port}`, xid: packet?.xid });
    }
    return undefined;
  }

  async #allocate(datagram: Datagram): Promise<Allocated | undefined> {
    const decoded = decodePacket(datagram.data);
    if (!decoded.ok) {
      this.stats.parseFailed += 1;
      this.#packetStatistics.add('pkt4-parse-failed', Date.now());
      this.#packetStatistics.add('pkt4-receive-drop', Date.now());
      return this.#drop(`failed to parse query: ${decoded.error.message}`, datagram);
    }
    const packet = decoded.packet;
    if (!isClientQuery(packet)) return this.#drop('not a BOOTREQUEST', datagram, packet);
    if (!this.#networkState.isEnabled()) {
      return this.#drop('DHCP service is disabled', datagram, packet);
    }
    const receivedMs = Date.now();
    const behindMs = this.#allocating.oldestAgeMs(receivedMs);
    const limitMs = messageType(packet) === MessageType.DISCOVER ? MAX_DISCOVER_DELAY_MS : MAX_ALLOCATION_DELAY_MS;
    if (behindMs > limitMs) {
      this.stats.unanswered += 1;
      if (this.#log.isDebug()) this.#log.debug(MSG.DHCP4_QUEUE_FULL, `overloaded: the oldest query in allocation has waited ${behindMs} ms: query dropped`, { xid: packet.xid });
      return undefined;
    }
    const pending = this.#allocating.begin(receivedMs);
    try {
      return await this.#allocateAdmitted(datagram, packet);
    } finally {
      this.#allocating.end(pending);
    }
  }

  async #allocateAdmitted(datagram: Datagram, packet: Dhcp4Packet): Promise<Allocated | undefined> {
    const view = haQueryOf(packet);
    const verdict = this.#hooks.classify(view, Date.now());
    if (verdict.kind === 'drop') return this.#drop(verdict.reason, datagram, packet);
    const iface = receivingInterface(this.#interfaces, datagram.address);
    const context = {
      nowS: Math.floor(Date.now() / 1000),
      classes: verdict.classes,
      receivedOn: { interfaceName: iface?.name, localAddress: iface?.address ?? '0.0.0.0' },
      ownAddresses: this.#ownAddresses,
      source: { address: datagram.address, port: datagram.port },
    };
    const result = await this.#engine.process(packet, context);
    if (result.kind === 'drop' && result.foreignServerId !== undefined) {
      // Kea's accept() step (after HA's scope check, as in Kea: HA judges in buffer4_receive).
      this.stats.unanswered += 1;
      this.#packetStatistics.add('pkt4-receive-drop', Date.now());
      if (this.#log.isDebug()) {
        this.#log.debug(MSG.DHCP4_PACKET_DROP_0003, `${queryLabel(packet)}, from interface ${iface?.name ?? '?'}: it contains a foreign server identifier`, {
          from: `${datagram.address}:${datagram.port}`,
          serverId: result.foreignServerId,
        });
      }
      return undefined;
    }
    if (result.kind === 'drop') return this.#drop(result.reason, datagram, packet);
    return {
      packet,
      view,
      response: result.response,
      destination: finalDestination(result.destination, packet, datagram, this.#serverPort),
      changes: result.leaseChanges,
    };
  }

  async #answer(allocated: Allocated): Promise<void> {
    const { packet, view, response, destination, changes } = allocated;
    const limit = this.#config.daemon.parkedPacketLimit;
    if (limit > 0 && this.#parked >= limit && (changes.updated.length > 0 || changes.deleted.length > 0)) {
      // As Kea: with the parking lot full the query is dropped before HA sees its leases, so no
      // lease update goes out for an answer no client will get. Sending them anyway (as tandemd
      // did) kept an overloaded pair busy with updates for dropped answers and it never recovered.
      this.stats.unanswered += 1;
      this.#packetStatistics.add('pkt4-receive-drop', Date.now());
      this.#parkingLotFullDrops += 1;
      if (this.#parkingLotFullDrops === 1) {
        this.#log.warn(MSG.DHCP4_RESPONSE_PARKED_DROP, `parked-packet-limit ${limit} reached: queries with new leases are dropped until answers waiting for HA lease-update acknowledgements drain`, { limit });
      }
      if (this.#log.isDebug()) this.#log.debug(MSG.DHCP4_HOOK_LEASES4_PARKING_LOT_FULL, `parked-packet-limit ${limit} reached: ${queryLabel(packet)} dropped`, { xid: packet.xid });
      return;
    }
    let verdict = this.#hooks.leasesCommitted(view, changes);
    if (verdict instanceof Promise) {
      this.#parked += 1;
      try {
        verdict = await verdict;
      } finally {
        this.#parked -= 1;
        if (this.#parkingLotFullDrops > 0 && this.#parked < limit / 2) {
          this.#log.warn(MSG.DHCP4_RESPONSE_PARKED_DROP, `parked answers drained below half of parked-packet-limit ${limit}: ${this.#parkingLotFullDrops} queries were dropped while it was full`, { limit, dropped: this.#parkingLotFullDrops });
          this.#parkingLotFullDrops = 0;
        }
      }
    }
    if (verdict.kind === 'drop') {
      this.stats.unanswered += 1;
      if (this.#log.isDebug()) this.#log.debug(MSG.DHCP4_RESPONSE_PARKED_DROP, verdict.reason, { xid: packet.xid });
      return;
    }
    this.#send(encodePacket(response), destination, response);
  }

  #send(bytes: Uint8Array, decided: Destination, response: Dhcp4Packet): void {
    const endpoint = this.#endpoint;
    if (endpoint === undefined) return;
    const iface = this.#interfaces[0];
    const destination =
      this.#limitedBroadcastUnroutable && decided.address === '255.255.255.255' && iface !== undefined
        ? { ...decided, address: directedBroadcast(iface) }
        : decided;
    endpoint.send(bytes, destination.address, destination.port, (error) => {
      if (error === null) {
        this.stats.sent += 1;
        if (this.#log.isDebug()) {
          this.#log.debug(MSG.DHCP4_PACKET_SEND, `${messageTypeName(response.options.find((o) => o.code === 53)?.data[0] ?? 0)} sent`, {
            to: `${destination.address}:${destination.port}`,
            xid: response.xid,
          });
        }
        return;
      }
      // A limited broadcast needs a route (Kea's raw sockets do not); without one, the interface's
      // subnet-directed broadcast reaches the same link. Remembered, so later broadcasts go there at once.
      if (destination.address === '255.255.255.255' && iface !== undefined && (error as NodeJS.ErrnoException).code === 'ENETUNREACH') {
        this.#limitedBroadcastUnroutable = true;
        this.#send(bytes, destination, response);
        return;
      }
      this.stats.sendFailed += 1;
      this.#log.warn(MSG.DHCP4_PACKET_SEND_FAIL, `failed to send answer to ${destination.address}:${destination.port}: ${error.message}`, {
        xid: response.xid,
      });
    });
  }

  #scheduleReclamation(): void {
    const { timerWaitS, maxLeases } = this.#reclamation;
    if (timerWaitS <= 0) return;
    this.#reclaimTimer = setTimeout(() => {
      void this.#reclaim(maxLeases === 0 ? Number.MAX_SAFE_INTEGER : maxLeases, false)
        .catch((error: unknown) =>
          this.#log.error(MSG.DHCP4_RECLAIM_EXPIRED_LEASES_FAIL, `reclaiming expired leases failed: ${(error as Error).message}`),
        )
        .finally(() => {
          if (this.#stopping === undefined) this.#scheduleReclamation();
        });
    }, timerWaitS * 1000);
    this.#reclaimTimer.unref();
  }

  /** The engine claims each address it touches, so reclamation may run beside queries. */
  async #reclaim(limit: number, remove: boolean): Promise<void> {
    {
      const changes = await this.#engine.reclaimExpired(Math.floor(Date.now() / 1000), limit);
      if (remove) {
        for (const lease of changes.updated) await this.#store.delete(lease.address);
      }
      const reclaimed = changes.updated.length + changes.deleted.length;
      if (reclaimed > 0) {
        this.#log.info(MSG.ALLOC_ENGINE_V4_LEASES_RECLAMATION_COMPLETE, `reclaimed ${reclaimed} expired leases`, { reclaimed });
      }
    }
  }

  /** Graceful stop: no new queries, finish in-flight ones and parked answers, flush the store. */
  stop(reason: string, exitValue = 0): Promise<void> {
    if (this.#stopping !== undefined) return this.#stopping;
    this.#stopping = (async () => {
      this.#log.info(MSG.DHCP4_SHUTDOWN_REQUEST, `shutting down: ${reason}`);
      if (this.#reclaimTimer !== undefined) clearTimeout(this.#reclaimTimer);
      const drained = Promise.allSettled([...this.#inFlight]);
      const timeout = new Promise((resolve) => setTimeout(resolve, DRAIN_TIMEOUT_MS).unref());
      await Promise.race([drained, timeout]);
      await this.#closeResources();
      this.#log.info(MSG.DHCP4_SHUTDOWN, 'server shutdown complete', { ...this.stats });
      this.#log.flush();
      this.#options.onStopped?.(exitValue);
    })();
    return this.#stopping;
  }

  async #closeResources(): Promise<void> {
    await this.#endpoint?.close();
    this.#endpoint = undefined;
    await this.#control?.close();
    this.#control = undefined;
    await this.#hooks.stop();
    this.#networkState.dispose();
    await this.#store.flush();
    await this.#store.close();
  }
}

const directedBroadcast = (iface: LocalInterface): string => {
  const a = iface.address.split('.').map(Number);
  const m = iface.netmask.split('.').map(Number);
  return a.map((octet, i) => (octet | (~(m[i] ?? 0) & 255)) & 255).join('.');
};
