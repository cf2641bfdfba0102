import { startControlServer, type ControlServer } from '@tandem/control';
import {
  classifyQuery4,
  clientKey4,
  haMachine,
  isCommunicationInterrupted,
  queryFilterFor,
  scopeClass,
  type CommandAnswer,
  type HaConfig,
  type HaContext,
  type HaEffect,
  type HaEvent,
  type KeaCompat,
  type QueryFilter,
} from '@tandem/core';
import type { LeaseStore } from '@tandem/leases';
import { match } from 'ts-pattern';
import { createActor, type Actor } from 'xstate';
import type { JsonValue } from '../commands/json.js';
import type { CommandHandler } from '../commands/registry.js';
import type {
  DhcpHaHooks,
  DhcpServiceControl,
  HaDaemonAccess,
  HaQuery,
  LeaseChanges,
  ParkVerdict,
  QueryVerdict,
} from '../ha-hooks.js';
import type { DaemonLog } from '../log/logger.js';
import { PEER_COMMANDS, haCommands } from './ha-commands.js';
import type { HaTransport } from './ha-config.js';
import { HA_MSG, controlLogOf, haLogOf, type HaLog } from './ha-log.js';
import { haStatusSection } from './ha-status.js';
import { leaseToRecord } from './lease-record.js';
import { runLeaseSync, type SyncRequest, type SyncResult } from './lease-sync.js';
import { ParkedAnswers } from './parked-answers.js';
import { PerAddressOrder } from './per-address-order.js';
import { PeerClients } from './peer-clients.js';
import {
  exchangeBacklog,
  exchangeHaReset,
  exchangeHeartbeat,
  exchangeLeaseUpdates,
  exchangeMaintenanceNotify,
  type ExchangeEnv,
} from './peer-exchanges.js';

export interface HaServiceOptions {
  readonly config: HaConfig;
  readonly log: DaemonLog;
  readonly compat?: KeaCompat;
  /** Who listens at this server's peer URL; tandemd itself unless said otherwise. */
  readonly transport?: HaTransport;
}

type HaActor = Actor<typeof haMachine>;

/** A command the machine leaves unanswered this long is answered with an error (a safety net; it always answers). */
const COMMAND_ANSWER_TIMEOUT_MS = 30_000;
/** How long a stop waits for synchronisations to re-enable their source's DHCP service. */
const SYNC_STOP_WAIT_MS = 12_000;

const SEND: ParkVerdict = { kind: 'send' };
const SERVE_UNCLASSIFIED: QueryVerdict = { kind: 'serve', classes: [] };
const OUT_OF_SCOPE: QueryVerdict = { kind: 'drop', reason: 'query belongs to an HA scope this server does not serve' };
const NOT_RUNNING: QueryVerdict = { kind: 'drop', reason: 'the HA service is not running' };

/**
 * libdhcp_ha.so for tandemd: the core's `haMachine` on the real clock, with every effect it emits
 * performed here (docs/architecture.md) — peer requests through keep-alive `PeerClient`s, the
 * synchronisation against the daemon's lease store, parked DHCP answers released on the core's
 * word, the DHCP service switch and the query filter set as the core says — and HA's commands
 * served on the daemon's registry, reachable on the unix socket and — with the dedicated-listener
 * transport — on an HTTP(S) listener at this server's peer URL; with the control-agent transport
 * kea-ctrl-agent owns the URL and forwards to the unix socket.
 */
export class HaService implements DhcpHaHooks<unknown> {
  readonly commands: Readonly<Record<string, CommandHandler<unknown>>>;
  readonly #config: HaConfig;
  readonly #compat: KeaCompat;
  readonly #transport: HaTransport;
  readonly #log: HaLog;
  readonly #actor: HaActor;
  readonly #clients: PeerClients;
  readonly #parked = new ParkedAnswers();
  readonly #updateOrder = new PerAddressOrder();
  readonly #answers = new Map<string, (answer: CommandAnswer) => void>();
  readonly #syncs = new Set<Promise<unknown>>();
  readonly #abort = new AbortController();
  /** One `HA_<scope>` class list per scope, so classification allocates nothing. */
  readonly #classes: ReadonlyMap<string, QueryVerdict>;
  #filter: QueryFilter;
  #service: DhcpServiceControl | undefined;
  #store: LeaseStore | undefined;
  #listener: ControlServer | undefined;
  #running = false;
  #stopping: Promise<void> | undefined;
  #lastNowMs = 0;
  #nextRequest = 0;
  #userEnableTimer: NodeJS.Timeout | undefined;
  /** The syncing state's synchronisation under way (never the admin `ha-sync`). */
  #stateSync: Promise<void> | undefined;
  readonly stats = { outOfScopeQueries: 0, parkedAnswers: 0, droppedAnswers: 0 };

  constructor(options: HaServiceOptions) {
    this.#config = options.config;
    this.#compat = options.compat ?? '2.2';
    this.#transport = options.transport ?? 'dedicated-listener';
    this.#log = haLogOf(options.log);
    this.#clients = new PeerClients(this.#config);
    this.#filter = queryFilterFor(this.#config, []);
    this.#classes = new Map(this.#config.peers.map((peer) => [peer.name, { kind: 'serve', classes: [scopeClass(peer.name)] }]));
    this.#actor = createActor(haMachine, { input: { config: this.#config, nowMs: this.nowMs(), compat: this.#compat } });
    this.#actor.on('*', (effect) => this.#perform(effect));
    this.commands = haCommands({
      config: this.#config,
      compat: this.#compat,
      context: () => this.#context(),
      nowMs: () => this.nowMs(),
      ask: (make) => this.#ask(make),
      sync: (request) => this.#sync(request),
      scheduleUserEnable: (maxPeriodS) => this.#scheduleUserEnable(maxPeriodS),
      stateSync: () => this.#stateSync,
    });
  }

  /** Wall-clock time for the core's events, never going backwards (contract rule 5). */
  nowMs(): number {
    this.#lastNowMs = Math.max(this.#lastNowMs, Date.now());
    return this.#lastNowMs;
  }

  async start(service: DhcpServiceControl, daemon: HaDaemonAccess): Promise<void> {
    this.#service = service;
    this.#store = daemon.store;
    this.#running = true;
    // The first effects (waiting's entry disables the DHCP service) are performed before the daemon opens its socket.
    this.#actor.start();
    const self = this.#config.thisServer;
    if (this.#transport === 'dedicated-listener') await this.#listen(daemon);
    this.#log('info', HA_MSG.SERVICE_STARTED, `HA service started: ${this.#config.mode} relationship, this server is ${this.#config.thisServerName} (${self.role}), ${this.#transport === 'dedicated-listener' ? 'listening on' : 'kea-ctrl-agent expected at'} ${self.url.href}`, {
      mode: this.#config.mode,
      serverName: this.#config.thisServerName,
      role: self.role,
      url: self.url.href,
      transport: this.#transport,
      peers: this.#config.peers.map((peer) => `${peer.name}=${peer.url.href}`),
    });
  }

  async #listen(daemon: HaDaemonAccess): Promise<void> {
    const self = this.#config.thisServer;
    try {
      this.#listener = await startControlServer({
        host: self.url.host,
        port: self.url.port,
        ...(self.tls !== undefined
          ? { tls: { certFile: self.tls.certFile, keyFile: self.tls.keyFile, trustAnchor: self.tls.trustAnchor, requireClientCerts: this.#config.requireClientCerts } }
          : {}),
        // Credentials in this server's own entry are those its peers present to it (spec §5.2).
        ...(self.basicAuth !== undefined ? { basicAuth: [self.basicAuth] } : {}),
        ...(this.#config.restrictCommands ? { restrictCommands: PEER_COMMANDS } : {}),
        dispatch: (request) => daemon.dispatch(request),
        log: controlLogOf(this.#log),
      });
    } catch (error) {
      const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
        ? ' (if kea-ctrl-agent listens there, set the relationship\'s "multi-threading": { "http-dedicated-listener": false } so tandemd leaves the URL to it)'
        : '';
      throw new Error(`HA listener of '${this.#config.thisServerName}' at ${self.url.href} (its peer URL) cannot start: ${(error as Error).message}${inUse}`);
    }
  }

  classify(query: HaQuery): QueryVerdict {
    if (!this.#running) return NOT_RUNNING;
    const classification = classifyQuery4(this.#filter, {
      messageType: query.messageType ?? 0,
      chaddr: query.hwAddress,
      ...(query.clientId !== undefined ? { clientId: query.clientId } : {}),
    });
    if (classification.inScope) {
      return classification.scope === undefined ? SERVE_UNCLASSIFIED : (this.#classes.get(classification.scope) ?? SERVE_UNCLASSIFIED);
    }
    this.stats.outOfScopeQueries += 1;
    const nowMs = this.nowMs();
    // The core analyses such a query only while communication is interrupted (§6.4); asking it first
    // keeps the machine out of the hot path of a healthy load-balanced pair.
    if (isCommunicationInterrupted(this.#actor.getSnapshot().context, nowMs)) {
      this.#actor.send({
        type: 'query.observed',
        nowMs,
        secs: query.secs,
        chaddr: query.hwAddress,
        ...(query.clientId !== undefined ? { clientId: query.clientId } : {}),
      });
    }
    return OUT_OF_SCOPE;
  }

  leasesCommitted(query: HaQuery, changes: LeaseChanges): ParkVerdict | Promise<ParkVerdict> {
    // The core answers a query without lease changes (OFFER, NAK, cached renewal) at once and changes
    // nothing for it (LU-18), so such queries never reach the machine.
    if (changes.updated.length === 0 && changes.deleted.length === 0) return SEND;
    if (!this.#running) return { kind: 'drop', reason: 'the HA service is stopping: no lease update can be acknowledged' };
    const queryId = this.#parked.open();
    this.#actor.send({
      type: 'leases.committed',
      nowMs: this.nowMs(),
      queryId,
      clientKey: clientKey4(query.hwAddress, query.clientId),
      updated: changes.updated.map(leaseToRecord),
      deleted: changes.deleted.map(leaseToRecord),
    });
    const verdict = this.#parked.claim(queryId);
    if (verdict instanceof Promise) this.stats.parkedAnswers += 1;
    return verdict;
  }

  statusSection(): JsonValue | undefined {
    const ctx = this.#context();
    return ctx === undefined ? undefined : (haStatusSection(ctx, Date.now()) as JsonValue);
  }

  /** Graceful stop: no further effects, every waiting command and parked answer settled, clients and listener closed. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const wasRunning = this.#running;
    this.#running = false;
    clearTimeout(this.#userEnableTimer);
    this.#abort.abort();
    this.#actor.stop();
    for (const [requestId, answer] of this.#answers) {
      this.#answers.delete(requestId);
      answer({ result: 1, text: 'the server is shutting down; the command was not completed' });
    }
    this.#parked.dropAll('the HA service stopped before the lease updates were acknowledged');
    // An interrupted synchronisation still re-enables its source's DHCP service (and answers its ha-sync).
    if (this.#syncs.size > 0) {
      await Promise.race([Promise.allSettled([...this.#syncs]), new Promise((resolve) => setTimeout(resolve, SYNC_STOP_WAIT_MS).unref())]);
    }
    // Let the answers just settled reach the listener's sockets before it closes them.
    await new Promise((resolve) => setImmediate(resolve));
    await this.#listener?.close();
    this.#listener = undefined;
    this.#clients.close();
    if (wasRunning) {
      this.#log('info', HA_MSG.SERVICE_STOPPED, 'HA service stopped', { ...this.stats });
    }
  }

  /**
   * The machine still waits for the backlog it handed out. Once it has left communication-recovery
   * (an ha-reset, a maintenance notification) the operations not yet sent describe leases a resync
   * supersedes, and a late lease4-del would remove a lease handed out after it (finding F9).
   */
  #deliveringBacklog(): boolean {
    const ha = (this.#actor.getSnapshot().value as { ha?: unknown }).ha;
    return typeof ha === 'object' && ha !== null && (ha as Record<string, unknown>)['communication-recovery'] === 'delivering';
  }

  #context(): HaContext | undefined {
    return this.#running ? this.#actor.getSnapshot().context : undefined;
  }

  /** Feeds a result event to the machine, unless the service has stopped meanwhile. */
  #deliver(event: HaEvent): void {
    if (this.#running) this.#actor.send(event);
  }

  #ask(make: (nowMs: number, requestId: string) => HaEvent): Promise<CommandAnswer> {
    if (!this.#running) return Promise.resolve({ result: 1, text: 'the HA service is not running' });
    this.#nextRequest += 1;
    const requestId = `c${this.#nextRequest}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#answers.delete(requestId);
        resolve({ result: 1, text: 'the HA state machine did not answer the command' });
      }, COMMAND_ANSWER_TIMEOUT_MS);
      timer.unref();
      this.#answers.set(requestId, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.#actor.send(make(this.nowMs(), requestId));
    });
  }

  #exchangeEnv(): ExchangeEnv {
    return { clients: this.#clients, compat: this.#compat, serverName: this.#config.thisServerName, nowMs: () => this.nowMs() };
  }

  #syncEnv() {
    const store = this.#store;
    if (store === undefined) throw new Error('the HA service has no lease store: it was not started');
    return { clients: this.#clients, store, compat: this.#compat, serverName: this.#config.thisServerName, log: this.#log };
  }

  /** The admin ha-sync: §9 from the named server, logged as Kea logs a sync, the HA state untouched. */
  async #sync(request: SyncRequest): Promise<SyncResult> {
    this.#log('info', HA_MSG.SYNC_START, `starting lease database synchronization with ${request.source} (ha-sync)`, { source: request.source });
    const run = runLeaseSync(this.#syncEnv(), request, this.#abort.signal);
    this.#trackSync(run);
    const result = await run;
    if (result.ok) {
      this.#log('info', HA_MSG.SYNC_SUCCESSFUL, `lease database synchronization with ${request.source} complete: ${result.leases} leases in ${result.durationMs} ms`);
    } else {
      this.#log('error', HA_MSG.SYNC_FAILED, `lease database synchronization with ${request.source} failed: ${result.error}`);
    }
    return result;
  }

  #trackSync(run: Promise<unknown>): void {
    this.#syncs.add(run);
    void run.finally(() => this.#syncs.delete(run));
  }

  #scheduleUserEnable(maxPeriodS: number): void {
    clearTimeout(this.#userEnableTimer);
    this.#userEnableTimer = setTimeout(() => {
      void this.#ask((nowMs, requestId) => ({ type: 'command.dhcp-enable', nowMs, requestId, origin: 'user' })).then((answer) =>
        this.#log('info', 'DHCP4_DHCP_ENABLE', `dhcp-disable max-period of ${maxPeriodS} s elapsed: ${answer.text}`, { maxPeriodS }),
      );
    }, maxPeriodS * 1000);
    this.#userEnableTimer.unref();
  }

  /** Runs an exchange and feeds its result back; a failure of the shell itself still yields the effect's one result. */
  #exchange(effect: HaEffect, run: () => Promise<HaEvent>): Promise<void> {
    return run()
      .catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        this.#log('error', HA_MSG.EFFECT_FAILED, `performing ${effect.type} failed: ${reason}`, { effect: effect.type });
        return failureResult(effect, reason, this.nowMs());
      })
      .then((event) => {
        if (event !== undefined) this.#deliver(event);
      });
  }

  #perform(effect: HaEffect): void {
    const env = this.#exchangeEnv();
    match(effect)
      .with({ type: 'heartbeat.send' }, (e) => void this.#exchange(e, () => exchangeHeartbeat(env, e)))
      .with({ type: 'lease-updates.send' }, (e) => {
        const addresses = [...e.deleted, ...e.updated].map((lease) => lease.address);
        void this.#exchange(e, () => this.#updateOrder.run(e.peer, addresses, () => exchangeLeaseUpdates(env, e)));
      })
      .with({ type: 'backlog.deliver' }, (e) => void this.#exchange(e, () => exchangeBacklog(env, e, () => this.#deliveringBacklog())))
      .with({ type: 'ha-reset.send' }, (e) => void this.#exchange(e, () => exchangeHaReset(env, e)))
      .with({ type: 'maintenance-notify.send' }, (e) => void this.#exchange(e, () => exchangeMaintenanceNotify(env, e)))
      .with({ type: 'sync.start' }, (e) => {
        const run = this.#exchange(e, async (): Promise<HaEvent> => {
          const result = await runLeaseSync(
            this.#syncEnv(),
            { source: e.peer, maxPeriodS: e.maxPeriodS, pageLimit: e.pageLimit, pageTimeoutMs: e.timeoutMs },
            this.#abort.signal,
          );
          return result.ok
            ? { type: 'sync.succeeded', nowMs: this.nowMs(), leases: result.leases }
            : { type: 'sync.failed', nowMs: this.nowMs(), reason: result.error };
        });
        this.#stateSync = run;
        void run.finally(() => {
          if (this.#stateSync === run) this.#stateSync = undefined;
        });
        this.#trackSync(run);
      })
      .with({ type: 'query.park' }, () => undefined)
      .with({ type: 'query.respond' }, (e) => this.#parked.settle(e.queryId, SEND))
      .with({ type: 'query.drop' }, (e) => {
        this.stats.droppedAnswers += 1;
        this.#parked.settle(e.queryId, { kind: 'drop', reason: e.reason });
      })
      .with({ type: 'dhcp-service.set' }, (e) => (e.enabled ? this.#service?.enable() : this.#service?.disable()))
      .with({ type: 'scopes.set' }, (e) => {
        this.#filter = queryFilterFor(this.#config, e.scopes);
      })
      // The core logs every transition itself (HA_STATE_TRANSITION).
      .with({ type: 'state.changed' }, () => undefined)
      .with({ type: 'command.answer' }, (e) => {
        const answer = this.#answers.get(e.requestId);
        this.#answers.delete(e.requestId);
        answer?.(e.answer);
      })
      .with({ type: 'log' }, (e) => this.#log(e.level, e.id, e.message, e.data))
      .exhaustive();
  }
}

/** The result event that reports an effect as failed, for effects that have one. */
const failureResult = (effect: HaEffect, reason: string, nowMs: number): HaEvent | undefined =>
  match(effect)
    .with({ type: 'heartbeat.send' }, (): HaEvent => ({ type: 'heartbeat.failed', nowMs, reason }))
    .with({ type: 'lease-updates.send' }, (e): HaEvent => ({ type: 'lease-updates.completed', nowMs, queryId: e.queryId, peer: e.peer, outcome: { kind: 'error', text: reason } }))
    .with({ type: 'sync.start' }, (): HaEvent => ({ type: 'sync.failed', nowMs, reason }))
    .with({ type: 'backlog.deliver' }, (): HaEvent => ({ type: 'backlog.delivered', nowMs, ok: false, reason }))
    .with({ type: 'ha-reset.send' }, (): HaEvent => ({ type: 'ha-reset.sent', nowMs, ok: false, reason }))
    .with({ type: 'maintenance-notify.send' }, (e): HaEvent => ({ type: 'maintenance-notify.completed', nowMs, requestId: e.requestId, outcome: { kind: 'unreachable', text: reason } }))
    .otherwise(() => undefined);
