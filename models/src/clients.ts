/**
 * The DHCP clients: each runs RFC 2131's client state machine, reduced to what HA cares about —
 * DISCOVER/OFFER/REQUEST/ACK, renewal at T1 (unicast to the server that answered), rebinding at
 * T2 (broadcast), expiry, RELEASE — with `secs` counting from the start of the exchange while it
 * goes unanswered, so a dead server's clients show up as "unacked" in its partner's failure
 * detection.
 *
 * A client is a record replaced on every change. Timings are RFC 2131's, compressed: the
 * retransmission back-off is 4 s, 8 s, then 16 s (±1 s in timed runs).
 */
import type { StateLabel } from '@tandem/core';
import { macBytes, macOf, type ClientMessage, type ClientOp, type ServerMessage } from './dhcp-messages.js';
import type { Prng } from './prng.js';
import type { World } from './world.js';

export type ClientPhase = 'off' | 'selecting' | 'requesting' | 'bound' | 'renewing' | 'rebinding';

export interface ClientLease {
  readonly address: string;
  readonly server: string;
  readonly validLifetimeS: number;
  /** The lease runs from when its REQUEST was sent (RFC 2131 §4.4.1); T1, T2 and expiry count from here. */
  readonly boundAtMs: number;
  /** The HA state of the server that acknowledged it (invariant 6 follows leases acked in normal states). */
  readonly ackedInState: StateLabel;
}

export interface DhcpClient {
  readonly name: string;
  readonly mac: string;
  readonly chaddr: Uint8Array;
  readonly phase: ClientPhase;
  readonly xid: number;
  /** Start of the current acquisition or renewal: `secs` counts from here. */
  readonly exchangeStartMs: number;
  /**
   * When the first REQUEST with the current xid left: RFC 2131 §4.4.1 has the client count its
   * lease from the moment it sent the request, which is never later than the server's cltt.
   */
  readonly requestSentMs: number;
  readonly attempts: number;
  /** When the client acts next on its own (retransmission, T1, T2, expiry, boot). */
  readonly nextMs?: number;
  readonly nextSeq: number;
  readonly offer?: { readonly address: string; readonly server: string };
  readonly lease?: ClientLease;
}

export interface ClientPopulation {
  readonly count: number;
  /** Clients boot at a random time in [0, bootWithinMs). */
  readonly bootWithinMs: number;
  /** Probability a bound client releases its lease at T1 and goes away for a while instead of renewing. */
  readonly releaseProbability: number;
  /** How long a client that released stays away. */
  readonly awayMs: readonly [number, number];
  /** Resend period while renewing or rebinding. */
  readonly renewRetryMs: number;
}

export const DEFAULT_POPULATION: ClientPopulation = {
  count: 30,
  bootWithinMs: 20_000,
  releaseProbability: 0.05,
  awayMs: [30_000, 120_000],
  renewRetryMs: 10_000,
};

export const clientName = (index: number): string => `c${String(index + 1).padStart(2, '0')}`;

export function createClients(population: ClientPopulation, prng: Prng, nextSeq: () => number, firstBootMs = 0): DhcpClient[] {
  return Array.from({ length: population.count }, (_, index) => {
    const mac = macOf(index + 1);
    return {
      name: clientName(index),
      mac,
      chaddr: macBytes(mac),
      phase: 'off' as const,
      xid: 0,
      exchangeStartMs: 0,
      requestSentMs: 0,
      attempts: 0,
      nextMs: firstBootMs + (population.bootWithinMs > 0 ? prng.int(population.bootWithinMs) : 0),
      nextSeq: nextSeq(),
    };
  });
}

export const leaseT1Ms = (lease: ClientLease): number => lease.boundAtMs + lease.validLifetimeS * 500;
export const leaseT2Ms = (lease: ClientLease): number => lease.boundAtMs + lease.validLifetimeS * 875;
export const leaseExpiryMs = (lease: ClientLease): number => lease.boundAtMs + lease.validLifetimeS * 1000;

/** The client holds an address right now. */
export const holdsLease = (client: DhcpClient, nowMs: number): boolean =>
  client.lease !== undefined && (client.phase === 'bound' || client.phase === 'renewing' || client.phase === 'rebinding') && leaseExpiryMs(client.lease) > nowMs;

export interface ClientEnv {
  readonly world: World;
  readonly population: ClientPopulation;
  readonly servers: readonly string[];
  /** Randomise retransmission times (timed runs); exploration keeps them exact. */
  readonly jitter: boolean;
}

/** The client's own timer went off. */
export function clientTimer(env: ClientEnv, client: DhcpClient): DhcpClient {
  const { world } = env;
  const now = world.nowMs;
  switch (client.phase) {
    case 'off':
      return discover(env, { ...client, xid: client.xid + 1, exchangeStartMs: now, attempts: 0, offer: undefined, lease: undefined });
    case 'selecting':
      return discover(env, { ...client, attempts: client.attempts + 1 });
    case 'requesting': {
      if (client.attempts >= 3 || client.offer === undefined) {
        return discover(env, { ...client, xid: client.xid + 1, attempts: 0, offer: undefined });
      }
      broadcast(env, client, 'REQUEST', { requested: client.offer.address });
      return schedule(env, { ...client, attempts: client.attempts + 1 }, backoff(env, client.attempts + 1));
    }
    case 'bound': {
      const lease = client.lease as ClientLease;
      if (world.prng.chance(env.population.releaseProbability)) {
        unicast(env, client, lease.server, 'RELEASE', { ciaddr: lease.address });
        world.trace('dhcp', `${client.name} releases ${lease.address}`);
        const [minAway, maxAway] = env.population.awayMs;
        return schedule(env, { ...client, phase: 'off', lease: undefined }, world.prng.between(minAway, maxAway));
      }
      const renewing: DhcpClient = { ...client, phase: 'renewing', xid: client.xid + 1, exchangeStartMs: now, requestSentMs: now, attempts: 0 };
      unicast(env, renewing, lease.server, 'REQUEST', { ciaddr: lease.address });
      return schedule(env, renewing, Math.min(env.population.renewRetryMs, leaseT2Ms(lease) - now));
    }
    case 'renewing': {
      const lease = client.lease as ClientLease;
      if (now >= leaseT2Ms(lease)) {
        const rebinding: DhcpClient = { ...client, phase: 'rebinding', attempts: client.attempts + 1 };
        broadcast(env, rebinding, 'REQUEST', { ciaddr: lease.address });
        return schedule(env, rebinding, Math.min(env.population.renewRetryMs, leaseExpiryMs(lease) - now));
      }
      unicast(env, client, lease.server, 'REQUEST', { ciaddr: lease.address });
      return schedule(env, { ...client, attempts: client.attempts + 1 }, Math.min(env.population.renewRetryMs, leaseT2Ms(lease) - now));
    }
    case 'rebinding': {
      const lease = client.lease as ClientLease;
      if (now >= leaseExpiryMs(lease)) {
        world.trace('dhcp', `${client.name} lease ${lease.address} expired`);
        return discover(env, { ...client, xid: client.xid + 1, exchangeStartMs: now, attempts: 0, lease: undefined, offer: undefined });
      }
      broadcast(env, client, 'REQUEST', { ciaddr: lease.address });
      return schedule(env, { ...client, attempts: client.attempts + 1 }, Math.min(env.population.renewRetryMs, leaseExpiryMs(lease) - now));
    }
  }
}

/** A server's answer arrived. */
export function clientReceive(env: ClientEnv, client: DhcpClient, from: string, reply: ServerMessage): DhcpClient {
  const { world } = env;
  if (reply.xid !== client.xid) return client;
  if (reply.op === 'OFFER') {
    if (client.phase !== 'selecting' || reply.address === undefined) return client;
    const requesting: DhcpClient = { ...client, phase: 'requesting', attempts: 0, offer: { address: reply.address, server: from }, requestSentMs: world.nowMs };
    broadcast(env, requesting, 'REQUEST', { requested: reply.address });
    return schedule(env, requesting, backoff(env, 0));
  }
  if (client.phase !== 'requesting' && client.phase !== 'renewing' && client.phase !== 'rebinding') return client;
  if (reply.op === 'NAK') {
    world.trace('dhcp', `${client.name} NAKed by ${from}`);
    return schedule(env, { ...client, phase: 'off', lease: undefined, offer: undefined }, 1_000);
  }
  if (reply.address === undefined || reply.validLifetimeS === undefined) return client;
  const lease: ClientLease = { address: reply.address, server: from, validLifetimeS: reply.validLifetimeS, boundAtMs: client.requestSentMs, ackedInState: reply.sentInState };
  world.trace('dhcp', `${client.name} bound to ${lease.address} by ${from} (${reply.sentInState})`);
  return schedule(env, { ...client, phase: 'bound', attempts: 0, lease, offer: undefined }, leaseT1Ms(lease) - world.nowMs);
}

function discover(env: ClientEnv, client: DhcpClient): DhcpClient {
  const selecting: DhcpClient = { ...client, phase: 'selecting' };
  broadcast(env, selecting, 'DISCOVER', {});
  return schedule(env, selecting, backoff(env, client.attempts));
}

function backoff(env: ClientEnv, attempts: number): number {
  const base = Math.min(16_000, 4_000 * 2 ** attempts);
  return env.jitter ? base + env.world.prng.between(-1_000, 1_000) : base;
}

function schedule(env: ClientEnv, client: DhcpClient, inMs: number): DhcpClient {
  return { ...client, nextMs: env.world.nowMs + Math.max(0, inMs), nextSeq: env.world.nextSeq() };
}

const secsOf = (env: ClientEnv, client: DhcpClient): number => Math.min(65_535, Math.floor((env.world.nowMs - client.exchangeStartMs) / 1000));

function message(env: ClientEnv, client: DhcpClient, op: ClientOp, fields: Pick<ClientMessage, 'requested' | 'ciaddr'>): ClientMessage {
  return { op, xid: client.xid, client: client.name, mac: client.mac, chaddr: client.chaddr, secs: secsOf(env, client), ...fields };
}

function broadcast(env: ClientEnv, client: DhcpClient, op: ClientOp, fields: Pick<ClientMessage, 'requested' | 'ciaddr'>): void {
  for (const server of env.servers) unicast(env, client, server, op, fields);
}

function unicast(env: ClientEnv, client: DhcpClient, server: string, op: ClientOp, fields: Pick<ClientMessage, 'requested' | 'ciaddr'>): void {
  const body = message(env, client, op, fields);
  env.world.send({ channel: 'dhcp', kind: 'dhcp', from: client.name, to: server, label: `${op} secs=${body.secs}`, body, senderIncarnation: 0 });
}
