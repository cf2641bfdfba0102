/**
 * The allocation engine: one DHCPv4 query in, one decision out (an answer and where to send it,
 * or a reason to stay silent), plus the lease changes it made, which the caller turns into HA
 * lease updates. It follows Kea 2.2's DHCPv4 server (dhcp4_srv.cc, alloc_engine.cc) where RFC
 * 2131 leaves choices open.
 *
 * It is pure in the sense of the rest of Tandem's core: no sockets, no clock (`nowS` comes in
 * the context), no randomness. Its only effects are through the `LeaseStore` it is given.
 *
 * Queries may be processed concurrently: a second query from a client whose previous query is
 * still being processed is dropped (as Kea's client handler does), and an address is written by
 * at most one query at a time; every decision to write is re-checked against a fresh read of the
 * lease under that address claim.
 */
import { leaseExpire, LEASE_STATE_DECLINED, LEASE_STATE_DEFAULT, LEASE_STATE_EXPIRED_RECLAIMED } from '@tandem/leases';
import type { Lease4, LeaseStore } from '@tandem/leases';
import { match } from 'ts-pattern';
import type { ClientClass4, Dhcp4ServerConfig, Pool4, Subnet4 } from '../config/types.js';
import { formatIpv4, ipv4FromBytes, IPV4_ZERO, parseIpv4 } from '../ipv4-address.js';
import {
  clientIdentifier,
  hostName,
  leaseTimeS,
  messageType,
  relayAgentInformation,
  requestedAddress,
  serverIdentifier,
} from '../options.js';
import { BOOTREQUEST, MessageType, messageTypeName, OptionCode, type Dhcp4Packet } from '../packet.js';
import { Classifier, type ClassSet } from './classification.js';
import { describeClient, identifyClient, leaseBelongsToClient, type ClientIdentity } from './client-identity.js';
import { teeTimes, validLifetimeS } from './lifetimes.js';
import { OptionLevels } from './option-levels.js';
import { PoolFreeIndex } from './pool-free-index.js';
import { answerOptions, buildReply, nakOptions, replyDestination } from './reply.js';
import { ReservationIndex, type HostLookup } from './reservations.js';
import { acceptServerId, configuredServerIds, type ConfiguredServerIds } from './server-id-acceptance.js';
import { selectSubnet } from './subnet-selection.js';
import type { LeaseChanges, ProcessResult, QueryContext } from './types.js';

/** Kea's ClientId holds at most 128 bytes; a longer one cannot be stored or sent to a partner. */
const MAX_CLIENT_ID_BYTES = 128;
/** Leases read per lease-store page when (re)building a pool's free index. */
const REBUILD_PAGE_SIZE = 1000;

/** Lease changes collected while a query is processed; reported even when processing fails midway. */
class ChangeLog {
  readonly updated: Lease4[] = [];
  readonly deleted: Lease4[] = [];
  snapshot(): LeaseChanges {
    return { updated: this.updated, deleted: this.deleted };
  }
}

/** Everything known about one query once its subnet and reservation are found. */
interface Exchange {
  readonly query: Dhcp4Packet;
  readonly context: QueryContext;
  readonly identity: ClientIdentity;
  readonly classes: ClassSet;
  readonly subnet: Subnet4 | undefined;
  /** How the subnet was looked for, for messages. */
  readonly evidence: string;
  readonly host: HostLookup;
  readonly changes: ChangeLog;
  /** Addresses this query holds the write claim for. */
  readonly claims: Set<number>;
}

/** An exchange whose subnet was found. */
type SubnetExchange = Exchange & { readonly subnet: Subnet4 };

type RequestOutcome =
  | { readonly kind: 'granted'; readonly lease: Lease4 }
  | { readonly kind: 'unavailable'; readonly reason: string }
  | { readonly kind: 'not-in-pool'; readonly address: number };

export class AllocationEngine {
  readonly #config: Dhcp4ServerConfig;
  readonly #store: LeaseStore;
  readonly #classifier: Classifier;
  readonly #reservations: ReservationIndex;
  /** The dhcp-server-identifier values at the levels Kea's acceptServerId consults. */
  readonly #configuredServerIds: ConfiguredServerIds;
  readonly #poolIndexes = new Map<Pool4, PoolFreeIndex>();
  readonly #rebuilds = new Map<PoolFreeIndex, Promise<void>>();
  readonly #clientsInFlight = new Set<string>();
  readonly #addressesInFlight = new Set<number>();

  constructor(config: Dhcp4ServerConfig, store: LeaseStore) {
    this.#config = config;
    this.#store = store;
    this.#classifier = new Classifier(config.clientClasses);
    this.#reservations = new ReservationIndex(config);
    this.#configuredServerIds = configuredServerIds(config);
  }

  /** Never throws: a malformed query, or a lease store failure, yields `drop` with the reason. */
  async process(query: Dhcp4Packet, context: QueryContext): Promise<ProcessResult> {
    const changes = new ChangeLog();
    try {
      return await this.#process(query, context, changes);
    } catch (error) {
      return drop(`lease store failure: ${error instanceof Error ? error.message : String(error)}`, changes);
    }
  }

  /**
   * Reclaims up to `limit` expired leases (declined ones once their probation is over): each is
   * either kept in state expired-reclaimed, or deleted when flushing is disabled
   * (flush-reclaimed-timer-wait-time or hold-reclaimed-time 0), as Kea does.
   */
  async reclaimExpired(nowS: number, limit: number): Promise<LeaseChanges> {
    const changes = new ChangeLog();
    const expiring = await this.#store.expired(nowS, limit);
    const { flushReclaimedTimerWaitTimeS, holdReclaimedTimeS } = this.#config.expiredLeasesProcessing;
    const remove = flushReclaimedTimerWaitTimeS === 0 || holdReclaimedTimeS === 0;
    for (const candidate of expiring) {
      const address = parseIpv4(candidate.address)!;
      if (!this.#claim(address)) continue;
      try {
        // A renewal may have landed since the list was read.
        const lease = await this.#store.get(candidate.address);
        if (lease === undefined || lease.state === LEASE_STATE_EXPIRED_RECLAIMED || leaseExpire(lease) >= nowS) continue;
        if (remove) {
          if (await this.#store.delete(lease.address)) changes.deleted.push(lease);
        } else {
          const reclaimed: Lease4 = {
            ...lease,
            state: LEASE_STATE_EXPIRED_RECLAIMED,
            hostname: '',
            fqdnFwd: false,
            fqdnRev: false,
          };
          if (await this.#store.update(reclaimed)) changes.updated.push(reclaimed);
        }
        this.#indexAt(address)?.markFree(address);
      } finally {
        this.#release(address);
      }
    }
    return changes.snapshot();
  }

  /**
   * Deletes up to `limit` (0: no limit) leases that have been expired-reclaimed for longer than
   * hold-reclaimed-time. It reads the whole store page by page, so run it on its own timer
   * (flush-reclaimed-timer-wait-time), never per packet.
   */
  async flushReclaimed(nowS: number, limit: number): Promise<LeaseChanges> {
    const changes = new ChangeLog();
    const holdS = this.#config.expiredLeasesProcessing.holdReclaimedTimeS;
    let from: string = 'start';
    for (;;) {
      const page = await this.#store.page(from, REBUILD_PAGE_SIZE);
      for (const lease of page) {
        if (lease.state !== LEASE_STATE_EXPIRED_RECLAIMED || leaseExpire(lease) + holdS >= nowS) continue;
        const address = parseIpv4(lease.address)!;
        if (!this.#claim(address)) continue;
        try {
          const current = await this.#store.get(lease.address);
          if (current?.state === LEASE_STATE_EXPIRED_RECLAIMED && (await this.#store.delete(lease.address))) {
            changes.deleted.push(current);
          }
        } finally {
          this.#release(address);
        }
        if (limit > 0 && changes.deleted.length >= limit) return changes.snapshot();
      }
      if (page.length < REBUILD_PAGE_SIZE) return changes.snapshot();
      from = page[page.length - 1]!.address;
    }
  }

  async #process(query: Dhcp4Packet, context: QueryContext, changes: ChangeLog): Promise<ProcessResult> {
    if (query.op !== BOOTREQUEST) return drop(`not a client query (op ${query.op})`, changes);
    const type = messageType(query);
    if (type === undefined) return drop('no DHCP message type', changes);
    const identity = identifyClient(query);
    // Built only when a query is dropped: most are answered.
    const name = () => `${messageTypeName(type)} from ${describeClient(identity)}`;
    if (identity.hwAddress === '' && identity.clientId === undefined) {
      return drop(`${name()}: no hardware address and no client identifier to tell the client by`, changes);
    }
    if ((clientIdentifier(query)?.length ?? 0) > MAX_CLIENT_ID_BYTES) {
      return drop(`${name()}: client identifier longer than ${MAX_CLIENT_ID_BYTES} bytes`, changes);
    }
    // Kea classifies before it judges the server identifier (client classes may configure one).
    const classes = this.#classifier.initial(context.classes);
    const ownAddresses = context.ownAddresses ?? new Set([context.receivedOn.localAddress]);
    const verdict = acceptServerId(query, { ownAddresses, classes }, this.#configuredServerIds);
    if (verdict.kind === 'drop') return { kind: 'drop', reason: `${name()}: ${verdict.reason}`, leaseChanges: changes.snapshot(), foreignServerId: verdict.serverId };
    if (type === MessageType.DISCOVER && serverIdentifier(query) !== undefined) {
      return drop(`${name()}: a DHCPDISCOVER must not carry a server identifier (RFC 2131 table 5)`, changes);
    }

    const hwKey = identity.hwAddress === '' ? undefined : `hw ${identity.hwAddress}`;
    const clientIdKey = identity.clientId === undefined ? undefined : `cid ${identity.clientId}`;
    if ((hwKey !== undefined && this.#clientsInFlight.has(hwKey)) || (clientIdKey !== undefined && this.#clientsInFlight.has(clientIdKey))) {
      return drop(`${name()}: a previous query from this client is still being processed`, changes);
    }
    if (hwKey !== undefined) this.#clientsInFlight.add(hwKey);
    if (clientIdKey !== undefined) this.#clientsInFlight.add(clientIdKey);
    const claims = new Set<number>();
    try {
      const exchange = this.#openExchange(query, context, identity, classes, changes, claims);
      const result = await this.#dispatch(type, exchange);
      return result.kind === 'drop' ? { ...result, reason: `${name()}: ${result.reason}` } : result;
    } finally {
      if (hwKey !== undefined) this.#clientsInFlight.delete(hwKey);
      if (clientIdKey !== undefined) this.#clientsInFlight.delete(clientIdKey);
      for (const address of claims) this.#release(address);
    }
  }

  /** A plain switch: this runs for every packet, and message types are numbers, not a union. */
  #dispatch(type: number, exchange: Exchange): Promise<ProcessResult> {
    switch (type) {
      case MessageType.DISCOVER:
        return this.#discover(exchange);
      case MessageType.REQUEST:
        return this.#request(exchange);
      case MessageType.DECLINE:
        return this.#decline(exchange);
      case MessageType.RELEASE:
        return this.#releaseLease(exchange);
      case MessageType.INFORM:
        return this.#inform(exchange);
      default:
        return Promise.resolve(drop('not a message a server answers', exchange.changes));
    }
  }

  #openExchange(
    query: Dhcp4Packet,
    context: QueryContext,
    identity: ClientIdentity,
    classes: ClassSet,
    changes: ChangeLog,
    claims: Set<number>,
  ): Exchange {
    const { subnet, evidence } = selectSubnet(this.#config.subnets, query, context, classes);
    const host =
      subnet === undefined
        ? { host: undefined, reservedAddress: undefined }
        : this.#reservations.lookup(subnet, identity, (address) => inAnyPool(subnet, address));
    this.#classifier.afterHostLookup(classes, host.host !== undefined, host.host?.clientClasses ?? []);
    return { query, context, identity, classes, subnet, evidence, host, changes, claims };
  }

  // ---------------------------------------------------------------- DHCPDISCOVER

  async #discover(ex: Exchange): Promise<ProcessResult> {
    if (!hasSubnet(ex)) return drop(`no subnet for ${ex.evidence}`, ex.changes);
    const offer = await this.#offer(ex);
    if (offer === undefined) {
      return drop(`no address available in subnet ${ex.subnet.id} (${ex.subnet.subnet}) for classes ${classList(ex.classes)}`, ex.changes);
    }
    return this.#answer(ex, MessageType.OFFER, offer);
  }

  /** What Kea's discoverLease4 would offer: reserved, the client's own, the requested, then any free address. Nothing is written. */
  async #offer(ex: SubnetExchange): Promise<Lease4 | undefined> {
    const clientLease = await this.#findClientLease(ex);
    const clientAddress = clientLease === undefined ? undefined : parseIpv4(clientLease.address)!;
    const reserved = ex.host.reservedAddress;
    if (reserved !== undefined) {
      if (clientAddress === reserved) return this.#leaseFor(ex, reserved, clientLease);
      const existing = await this.#store.get(formatIpv4(reserved));
      if (this.#isAvailable(ex, existing)) return this.#leaseFor(ex, reserved, existing);
    }
    if (clientAddress !== undefined && this.#inAllowedPool(ex, clientAddress) && !this.#reservedForOther(ex, clientAddress)) {
      return this.#leaseFor(ex, clientAddress, clientLease);
    }
    const hint = parseOptionalAddress(requestedAddress(ex.query));
    if (hint !== undefined && this.#inAllowedPool(ex, hint) && !this.#reservedForOther(ex, hint)) {
      const existing = await this.#store.get(formatIpv4(hint));
      if (this.#isAvailable(ex, existing)) return this.#leaseFor(ex, hint, existing);
    }
    return this.#fromPools(ex, 'offer');
  }

  // ---------------------------------------------------------------- DHCPREQUEST

  async #request(ex: Exchange): Promise<ProcessResult> {
    const { query } = ex;
    const requested = requestedAddress(query);
    // RFC 2131 §4.3.2: no server identifier but a requested address is INIT-REBOOT; a server
    // identifier is SELECTING (already checked to be ours); ciaddr alone is RENEWING/REBINDING.
    const initReboot = serverIdentifier(query) === undefined && requested !== undefined;
    const hint = parseOptionalAddress(requested ?? (query.ciaddr !== IPV4_ZERO ? query.ciaddr : undefined));
    const authoritative = ex.subnet?.authoritative ?? this.#config.authoritative;
    if (!hasSubnet(ex)) {
      if (!initReboot || authoritative) return this.#nak(ex, `no subnet for ${ex.evidence}`);
      return drop(`no subnet for ${ex.evidence} (not authoritative: INIT-REBOOT clients of unknown networks get no answer)`, ex.changes);
    }
    const clientLease = await this.#findClientLease(ex);
    if (initReboot) {
      if (clientLease === undefined && !authoritative) {
        return drop(`INIT-REBOOT for ${requested} from a client without a lease here (not authoritative, RFC 2131 §4.3.2)`, ex.changes);
      }
      if (clientLease === undefined) return this.#nak(ex, `INIT-REBOOT for ${requested} from a client without a lease here`);
      if (clientLease.address !== requested) {
        return this.#nak(ex, `INIT-REBOOT for ${requested} but the client's lease is ${clientLease.address}`);
      }
    }
    const outcome = await this.#requestLease(ex, clientLease, hint);
    return match(outcome)
      .with({ kind: 'granted' }, ({ lease }) => this.#answer(ex, MessageType.ACK, lease))
      .with({ kind: 'unavailable' }, ({ reason }) => this.#nak(ex, reason))
      .with({ kind: 'not-in-pool' }, ({ address }) =>
        // Kea: an address in none of the subnet's pools is none of this server's business (another
        // server may own it); one in a pool the client's classes exclude is refused.
        inAnyPool(ex.subnet, address)
          ? this.#nak(ex, `${formatIpv4(address)} is in a pool the client's classes (${classList(ex.classes)}) may not use`)
          : drop(`${formatIpv4(address)} is in no pool of subnet ${ex.subnet.id} (${ex.subnet.subnet})`, ex.changes),
      )
      .exhaustive();
  }

  /** Kea's requestLease4. */
  async #requestLease(ex: SubnetExchange, clientLease: Lease4 | undefined, hint: number | undefined): Promise<RequestOutcome> {
    const reserved = ex.host.reservedAddress;
    let address = hint;
    if (address !== undefined) {
      if (this.#reservedForOther(ex, address)) return unavailable(`${formatIpv4(address)} is reserved for another client`);
    } else {
      address = reserved;
    }
    if (address !== undefined) {
      const existing = await this.#store.get(formatIpv4(address));
      if (!this.#isAvailable(ex, existing)) return unavailable(`${formatIpv4(address)} is leased to another client`);
      if (reserved !== undefined && reserved !== address) {
        const atReserved = await this.#store.get(formatIpv4(reserved));
        if (atReserved === undefined || isExpired(atReserved, ex.context.nowS)) {
          return unavailable(`the client has reserved address ${formatIpv4(reserved)} and must take that one`);
        }
      }
      if (reserved !== address && !this.#inAllowedPool(ex, address)) return { kind: 'not-in-pool', address };
    }

    const clientAddress = clientLease === undefined ? undefined : parseIpv4(clientLease.address)!;
    if (
      clientAddress !== undefined &&
      (address === undefined || address === clientAddress) &&
      ((reserved !== undefined && reserved === address) || this.#inAllowedPool(ex, clientAddress))
    ) {
      const renewed = await this.#commit(ex, clientAddress);
      return renewed === undefined ? unavailable(`${clientLease!.address} changed hands while being renewed`) : granted(renewed);
    }

    const lease = address !== undefined ? await this.#commit(ex, address) : await this.#fromPools(ex, 'commit');
    if (lease === undefined) {
      return unavailable(
        address !== undefined
          ? `${formatIpv4(address)} is leased to another client`
          : `no free address in subnet ${ex.subnet.id} (${ex.subnet.subnet}) for classes ${classList(ex.classes)}`,
      );
    }
    if (clientLease !== undefined && clientAddress !== parseIpv4(lease.address)) {
      // The client moved: its old lease goes, and a partner must hear of it.
      if (this.#claim(clientAddress!, ex.claims) && (await this.#store.delete(clientLease.address))) {
        ex.changes.deleted.push(clientLease);
        this.#indexAt(clientAddress!)?.markFree(clientAddress!);
      }
    }
    return granted(lease);
  }

  // ---------------------------------------------------------------- DHCPDECLINE, DHCPRELEASE

  async #decline(ex: Exchange): Promise<ProcessResult> {
    const requested = requestedAddress(ex.query);
    if (requested === undefined) return drop('no requested address option (50) naming the declined address', ex.changes);
    const lease = await this.#ownLeaseAt(ex, requested);
    if (typeof lease === 'string') return drop(lease, ex.changes);
    const address = parseIpv4(requested)!;
    const probationS = this.#config.declineProbationPeriodS;
    // Kea's Lease4::decline: the address is quarantined and no longer anybody's.
    const declined: Lease4 = {
      address: lease.address,
      hwAddress: '',
      validLifetime: probationS,
      cltt: ex.context.nowS,
      subnetId: lease.subnetId,
      fqdnFwd: false,
      fqdnRev: false,
      hostname: '',
      state: LEASE_STATE_DECLINED,
      ...(lease.userContext !== undefined && { userContext: lease.userContext }),
    };
    if (!(await this.#store.update(declined))) return drop(`the lease of ${requested} vanished`, ex.changes);
    ex.changes.updated.push(declined);
    this.#indexAt(address)?.markUsed(address);
    return drop(`declined ${requested}: quarantined for ${probationS} s (a DHCPDECLINE gets no answer)`, ex.changes);
  }

  async #releaseLease(ex: Exchange): Promise<ProcessResult> {
    const address = ex.query.ciaddr;
    if (address === IPV4_ZERO) return drop('ciaddr is 0.0.0.0: nothing to release', ex.changes);
    const lease = await this.#ownLeaseAt(ex, address);
    if (typeof lease === 'string') return drop(lease, ex.changes);
    if (!(await this.#store.delete(address))) return drop(`the lease of ${address} vanished`, ex.changes);
    ex.changes.deleted.push(lease);
    const value = parseIpv4(address)!;
    this.#indexAt(value)?.markFree(value);
    return drop(`released ${address} (a DHCPRELEASE gets no answer)`, ex.changes);
  }

  /** The lease at `address` if it is this client's (by the identifiers in the query), with the write claim held; else why not. */
  async #ownLeaseAt(ex: Exchange, address: string): Promise<Lease4 | string> {
    if (!this.#claim(parseIpv4(address)!, ex.claims)) return `${address} is being changed by another query`;
    const lease = await this.#store.get(address);
    if (lease === undefined) return `no lease for ${address}`;
    // Kea matches DECLINE and RELEASE without a subnet, so with the client identifier as sent.
    if (!leaseBelongsToClient(lease, ex.identity.hwAddress, ex.identity.clientId)) return `the lease of ${address} is another client's`;
    return lease;
  }

  // ---------------------------------------------------------------- DHCPINFORM

  async #inform(ex: Exchange): Promise<ProcessResult> {
    if (!hasSubnet(ex)) return drop(`no subnet for ${ex.evidence}`, ex.changes);
    this.#classifier.required(ex.classes, ex.subnet.requireClientClasses);
    const levels = this.#optionLevels(ex, undefined);
    const serverId = this.#serverId(ex, levels);
    if (serverId === undefined) return drop('no server identifier: the receiving interface has no address', ex.changes);
    const options = answerOptions({
      query: ex.query,
      type: MessageType.ACK,
      serverId,
      configured: levels,
      subnetPrefix: ex.subnet.prefix,
      echoClientId: this.#config.echoClientId,
      ...(ex.host.host?.hostname !== undefined && { hostname: ex.host.host.hostname }),
    });
    return this.#respond(ex, buildReply(ex.query, options, { yiaddr: IPV4_ZERO, ciaddr: ex.query.ciaddr, ...bootFields(ex.subnet) }));
  }

  // ---------------------------------------------------------------- answers

  #answer(ex: SubnetExchange, type: typeof MessageType.OFFER | typeof MessageType.ACK, lease: Lease4): ProcessResult {
    const address = parseIpv4(lease.address)!;
    const pool = ex.subnet.pools.find((p) => p.first <= address && address <= p.last);
    this.#classifier.required(ex.classes, [...ex.subnet.requireClientClasses, ...(pool?.requireClientClasses ?? [])]);
    const levels = this.#optionLevels(ex, pool);
    const serverId = this.#serverId(ex, levels);
    if (serverId === undefined) return drop('no server identifier: the receiving interface has no address', ex.changes);
    const options = answerOptions({
      query: ex.query,
      type,
      serverId,
      configured: levels,
      subnetPrefix: ex.subnet.prefix,
      lease: { validS: lease.validLifetime, ...teeTimes(ex.subnet.lifetimes, lease.validLifetime) },
      echoClientId: this.#config.echoClientId,
      ...(lease.hostname !== '' && { hostname: lease.hostname }),
    });
    const reply = buildReply(ex.query, options, {
      yiaddr: lease.address,
      ciaddr: type === MessageType.ACK ? ex.query.ciaddr : IPV4_ZERO,
      ...bootFields(ex.subnet),
    });
    return this.#respond(ex, reply);
  }

  #nak(ex: Exchange, reason: string): ProcessResult {
    const levels = this.#optionLevels(ex, undefined);
    const serverId = this.#serverId(ex, levels);
    if (serverId === undefined) return drop(`${reason}; no server identifier for the DHCPNAK`, ex.changes);
    return this.#respond(
      ex,
      buildReply(ex.query, nakOptions(ex.query, serverId, this.#config.echoClientId), { yiaddr: IPV4_ZERO, ciaddr: IPV4_ZERO }),
    );
  }

  #respond(ex: Exchange, response: Dhcp4Packet): ProcessResult {
    return {
      kind: 'respond',
      response,
      destination: replyDestination(ex.query, response, ex.context.source),
      leaseChanges: ex.changes.snapshot(),
    };
  }

  #optionLevels(ex: Exchange, pool: Pool4 | undefined): OptionLevels {
    return new OptionLevels([
      ex.host.host?.options ?? [],
      pool?.options ?? [],
      ex.subnet?.options ?? [],
      ...this.#classDefinitions(ex.classes).map((c) => c.options),
      this.#config.options,
    ]);
  }

  #classDefinitions(classes: ClassSet): ClientClass4[] {
    const definitions: ClientClass4[] = [];
    for (const name of classes) {
      const definition = this.#classifier.definition(name);
      if (definition !== undefined) definitions.push(definition);
    }
    return definitions;
  }

  /** RFC 5107 override from the relay, else a configured dhcp-server-identifier, else the receiving address. */
  #serverId(ex: Exchange, levels: OptionLevels): string | undefined {
    const override = relayAgentInformation(ex.query)?.serverIdOverride;
    if (override !== undefined) return override;
    const configured = levels.find(OptionCode.SERVER_IDENTIFIER);
    if (configured !== undefined) return ipv4FromBytes(configured.data);
    const local = ex.context.receivedOn.localAddress;
    return parseIpv4(local) !== undefined && local !== IPV4_ZERO ? local : undefined;
  }


  // ---------------------------------------------------------------- leases

  /** Kea's findClientLease: by client identifier where the subnet matches on it, else by hardware address. */
  async #findClientLease(ex: SubnetExchange): Promise<Lease4 | undefined> {
    const { subnet, identity } = ex;
    if (subnet.matchClientId && identity.clientId !== undefined) {
      const byClientId = await this.#store.getByClientId(identity.clientId);
      const found = byClientId.find((l) => l.subnetId === subnet.id);
      if (found !== undefined) return found;
    }
    if (identity.hwAddress === '') return undefined;
    const clientId = leaseClientId(ex);
    const byHw = await this.#store.getByHwAddress(identity.hwAddress);
    return byHw.find((l) => l.subnetId === subnet.id && leaseBelongsToClient(l, identity.hwAddress, clientId));
  }

  /** The lease this client would get at `address`: fresh lifetimes and identity, kept user context. */
  #leaseFor(ex: SubnetExchange, address: number, existing: Lease4 | undefined): Lease4 {
    const clientId = leaseClientId(ex);
    const userContext = existing !== undefined && this.#isMine(ex, existing) ? existing.userContext : undefined;
    return {
      address: formatIpv4(address),
      hwAddress: ex.identity.hwAddress,
      ...(clientId !== undefined && { clientId }),
      validLifetime: validLifetimeS(ex.subnet.lifetimes, this.#classDefinitions(ex.classes), leaseTimeS(ex.query)),
      cltt: ex.context.nowS,
      subnetId: ex.subnet.id,
      fqdnFwd: false,
      fqdnRev: false,
      hostname: ex.host.host?.hostname?.toLowerCase() ?? clientHostname(ex.query),
      state: LEASE_STATE_DEFAULT,
      ...(userContext !== undefined && { userContext }),
    };
  }

  #isMine(ex: SubnetExchange, lease: Lease4): boolean {
    return leaseBelongsToClient(lease, ex.identity.hwAddress, leaseClientId(ex));
  }

  /** Free for this client: no lease, an expired or reclaimed one, or the client's own. */
  #isAvailable(ex: SubnetExchange, existing: Lease4 | undefined): boolean {
    return existing === undefined || isExpired(existing, ex.context.nowS) || this.#isMine(ex, existing);
  }

  /**
   * Writes this client's lease at `address` under the address claim, after re-reading what is
   * there. Undefined when the address is not (or no longer) available.
   */
  async #commit(ex: SubnetExchange, address: number): Promise<Lease4 | undefined> {
    if (!this.#claim(address, ex.claims)) return undefined;
    const text = formatIpv4(address);
    const existing = await this.#store.get(text);
    if (!this.#isAvailable(ex, existing)) {
      this.#indexAt(address)?.markUsed(address);
      return undefined;
    }
    const lease = this.#leaseFor(ex, address, existing);
    const stored =
      existing !== undefined ? (await this.#store.update(lease)) || (await this.#store.add(lease)) : await this.#store.add(lease);
    if (!stored) return undefined;
    ex.changes.updated.push(lease);
    this.#indexAt(address)?.markUsed(address);
    return lease;
  }

  /** A free address from the pools the client's classes allow, in pool order. */
  async #fromPools(ex: SubnetExchange, mode: 'offer' | 'commit'): Promise<Lease4 | undefined> {
    const nowS = ex.context.nowS;
    for (const pool of ex.subnet.pools) {
      if (pool.clientClass !== undefined && !ex.classes.has(pool.clientClass)) continue;
      const index = await this.#poolIndex(pool, nowS);
      for (;;) {
        const address = index.take();
        if (address === undefined) {
          // The index knows no free address; leases may have expired since it was built.
          if (index.rebuiltAtS >= nowS) break;
          await this.#rebuild(pool, index, nowS);
          continue;
        }
        if (this.#reservedForOther(ex, address)) {
          index.markUsed(address);
          continue;
        }
        if (mode === 'commit') {
          const lease = await this.#commit(ex, address);
          if (lease !== undefined) return lease;
          continue;
        }
        const existing = await this.#store.get(formatIpv4(address));
        if (!this.#isAvailable(ex, existing)) {
          index.markUsed(address);
          continue;
        }
        // Offered, not taken: back of the queue, so the next client is offered another address.
        index.markFree(address);
        return this.#leaseFor(ex, address, existing);
      }
    }
    return undefined;
  }

  async #poolIndex(pool: Pool4, nowS: number): Promise<PoolFreeIndex> {
    let index = this.#poolIndexes.get(pool);
    if (index === undefined) {
      index = new PoolFreeIndex(pool.first, pool.last);
      this.#poolIndexes.set(pool, index);
    }
    if (!index.loaded) await this.#rebuild(pool, index, nowS);
    return index;
  }

  /** One rebuild per index at a time; concurrent queries wait for the same one. */
  #rebuild(pool: Pool4, index: PoolFreeIndex, nowS: number): Promise<void> {
    let pending = this.#rebuilds.get(index);
    if (pending === undefined) {
      pending = this.#takenAddresses(pool, nowS)
        .then((taken) => index.rebuild(taken, nowS))
        .finally(() => this.#rebuilds.delete(index));
      this.#rebuilds.set(index, pending);
    }
    return pending;
  }

  /** Addresses of the pool whose leases are still in force, read in address order. */
  async #takenAddresses(pool: Pool4, nowS: number): Promise<number[]> {
    const taken: number[] = [];
    let from: string = pool.first === 0 ? 'start' : formatIpv4(pool.first - 1);
    for (;;) {
      const page = await this.#store.page(from, REBUILD_PAGE_SIZE);
      for (const lease of page) {
        const address = parseIpv4(lease.address)!;
        if (address > pool.last) return taken;
        if (address >= pool.first && !isExpired(lease, nowS)) taken.push(address);
      }
      if (page.length < REBUILD_PAGE_SIZE) return taken;
      from = page[page.length - 1]!.address;
    }
  }

  #indexAt(address: number): PoolFreeIndex | undefined {
    for (const index of this.#poolIndexes.values()) if (index.contains(address)) return index;
    return undefined;
  }

  #inAllowedPool(ex: SubnetExchange, address: number): boolean {
    return ex.subnet.pools.some(
      (p) => p.first <= address && address <= p.last && (p.clientClass === undefined || ex.classes.has(p.clientClass)),
    );
  }

  /** Kea's addressReserved: held by a reservation of another client (skipped inside pools with reservations-out-of-pool). */
  #reservedForOther(ex: SubnetExchange, address: number): boolean {
    const reservation = this.#reservations.reservationAt(ex.subnet, address);
    if (reservation === undefined) return false;
    if (ex.subnet.reservationsOutOfPool && inAnyPool(ex.subnet, address)) return false;
    const own = reservation.identifierType === 'hw-address' ? ex.identity.hwAddress : ex.identity.clientId;
    return own !== reservation.identifier;
  }

  /** Takes the write claim on `address`; false when another query (or reclamation) holds it. */
  #claim(address: number, claims?: Set<number>): boolean {
    if (claims?.has(address)) return true;
    if (this.#addressesInFlight.has(address)) return false;
    this.#addressesInFlight.add(address);
    claims?.add(address);
    return true;
  }

  #release(address: number): void {
    this.#addressesInFlight.delete(address);
  }
}

function drop(reason: string, changes: ChangeLog): ProcessResult {
  return { kind: 'drop', reason, leaseChanges: changes.snapshot() };
}

const granted = (lease: Lease4): RequestOutcome => ({ kind: 'granted', lease });
const unavailable = (reason: string): RequestOutcome => ({ kind: 'unavailable', reason });

function hasSubnet(ex: Exchange): ex is SubnetExchange {
  return ex.subnet !== undefined;
}

function inAnyPool(subnet: Subnet4, address: number): boolean {
  return subnet.pools.some((p) => p.first <= address && address <= p.last);
}

/** Expired by time, or already reclaimed: the address may go to someone else. */
function isExpired(lease: Lease4, nowS: number): boolean {
  return lease.state === LEASE_STATE_EXPIRED_RECLAIMED || leaseExpire(lease) < nowS;
}

/** The client identifier a lease records: none where the subnet ignores client identifiers. */
function leaseClientId(ex: SubnetExchange): string | undefined {
  return ex.subnet.matchClientId ? ex.identity.clientId : undefined;
}

/** Option 12 as the lease keeps it: trimmed, lower case; a bare root label means none. */
function clientHostname(query: Dhcp4Packet): string {
  const name = hostName(query)?.trim().toLowerCase() ?? '';
  return name === '.' ? '' : name;
}

function parseOptionalAddress(text: string | undefined): number | undefined {
  if (text === undefined || text === IPV4_ZERO) return undefined;
  return parseIpv4(text);
}

function classList(classes: ClassSet): string {
  return `[${[...classes].join(', ')}]`;
}

function bootFields(subnet: Subnet4): { siaddr?: string; serverHostname?: string; bootFileName?: string } {
  return {
    ...(subnet.nextServer !== undefined && { siaddr: subnet.nextServer }),
    ...(subnet.serverHostname !== undefined && { serverHostname: subnet.serverHostname }),
    ...(subnet.bootFileName !== undefined && { bootFileName: subnet.bootFileName }),
  };
}


