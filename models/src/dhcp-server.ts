/**
 * A peer's DHCP side, modelled as much as the HA protocol can see of it: every query goes
 * through the core's query filter with the scopes the machine asked for; a query the peer does
 * not serve feeds failure detection (`query.observed`); one it serves is answered by a small,
 * pure allocation model — a client gets an address from the pool of the query's scope, the first
 * one its store shows as free — and every lease change goes through `leases.committed`, its
 * answer held until the machine releases it (contract rules 1, 2 and 6).
 */
import { classifyQuery4, queryFilterFor, type Lease4Record } from '@tandem/core';
import { SUBNET_ID } from './cluster-spec.js';
import { DHCP_TYPE, type ClientMessage, type ServerMessage } from './dhcp-messages.js';
import { isLeaseActive, leaseOfClient, putLease, removeLease, type LeaseStore } from './lease-store-model.js';
import type { Message } from './network.js';
import { feedTimed, haState, nextId, peerWallMs, withEntry, type MutablePeer } from './peer.js';
import type { World } from './world.js';

export function receiveDhcp(world: World, peer: MutablePeer, message: Message): void {
  const query = message.body as ClientMessage;
  if (!peer.up) return;
  if (!peer.dhcpEnabled) {
    // Packets never reach the HA hook while the service is disabled (§6.4): no analysis either.
    world.trace('dhcp', `${peer.name} ignores ${query.op} from ${query.client} (service disabled)`);
    return;
  }
  const classification = classifyQuery4(queryFilterFor(peer.config, peer.servedScopes), {
    messageType: DHCP_TYPE[query.op],
    chaddr: query.chaddr,
  });
  if (!classification.inScope || classification.scope === undefined) {
    world.trace('dhcp', `${peer.name} drops ${query.op} from ${query.client} secs=${query.secs} (scope ${classification.scope ?? '?'} not served)`);
    feedTimed(world, peer, (nowMs) => ({ type: 'query.observed', nowMs, secs: query.secs, chaddr: query.chaddr }));
    return;
  }
  const pool = world.pools.get(classification.scope) ?? [];
  const wallS = Math.floor(peerWallMs(world, peer) / 1000);
  switch (query.op) {
    case 'DISCOVER': {
      const address = pickAddress(peer.store, pool, query.mac, wallS, query.requested);
      if (address === undefined) {
        world.trace('dhcp', `${peer.name} has no free address in scope ${classification.scope} for ${query.client}`);
        return;
      }
      answer(world, peer, query, { op: 'OFFER', xid: query.xid, server: peer.name, address, validLifetimeS: world.spec.validLifetimeS });
      return;
    }
    case 'REQUEST': {
      const address = query.requested ?? query.ciaddr;
      const current = address === undefined ? undefined : peer.store.get(address);
      if (address === undefined || !pool.includes(address) || (current !== undefined && isLeaseActive(current, wallS) && current.hwAddress !== query.mac)) {
        answer(world, peer, query, { op: 'NAK', xid: query.xid, server: peer.name });
        return;
      }
      const lease: Lease4Record = {
        address,
        hwAddress: query.mac,
        validLifetimeS: world.spec.validLifetimeS,
        clttS: wallS,
        subnetId: SUBNET_ID,
        fqdnFwd: false,
        fqdnRev: false,
        hostname: '',
        state: 0,
      };
      const previous = leaseOfClient(peer.store, query.mac, wallS);
      const deleted = previous !== undefined && previous.address !== address ? [previous] : [];
      // Persist before anything leaves (contract rule 2).
      let store = peer.store;
      for (const old of deleted) store = removeLease(store, old.address);
      peer.store = putLease(store, lease);
      world.trace('peer', `${peer.name} store ${address} ← ${query.mac} (${query.client})`);
      const queryId = nextId(peer, 'q');
      peer.replies = withEntry(peer.replies, queryId, {
        client: query.client,
        message: { op: 'ACK', xid: query.xid, server: peer.name, address, validLifetimeS: world.spec.validLifetimeS },
      });
      feedTimed(world, peer, (nowMs) => ({ type: 'leases.committed', nowMs, queryId, clientKey: query.mac, updated: [lease], deleted }));
      return;
    }
    case 'RELEASE': {
      const lease = query.ciaddr === undefined ? undefined : peer.store.get(query.ciaddr);
      if (lease === undefined || lease.hwAddress !== query.mac) return;
      peer.store = removeLease(peer.store, lease.address);
      world.trace('peer', `${peer.name} store ${lease.address} released by ${query.client}`);
      const queryId = nextId(peer, 'q');
      feedTimed(world, peer, (nowMs) => ({ type: 'leases.committed', nowMs, queryId, clientKey: query.mac, updated: [], deleted: [lease] }));
      return;
    }
  }
}

/** The client's own active lease in this pool, else the requested address if free, else the first free one. */
export function pickAddress(store: LeaseStore, pool: readonly string[], mac: string, wallS: number, requested?: string): string | undefined {
  const own = leaseOfClient(store, mac, wallS);
  if (own !== undefined && pool.includes(own.address)) return own.address;
  const free = (address: string): boolean => {
    const lease = store.get(address);
    return lease === undefined || !isLeaseActive(lease, wallS) || lease.hwAddress === mac;
  };
  if (requested !== undefined && pool.includes(requested) && free(requested)) return requested;
  return pool.find(free);
}

function answer(world: World, peer: MutablePeer, query: ClientMessage, body: Omit<ServerMessage, 'sentInState'>): void {
  const full: ServerMessage = { ...body, sentInState: haState(peer) ?? 'waiting' };
  world.send({ channel: 'dhcp', kind: 'dhcp', from: peer.name, to: query.client, label: full.op, body: full, senderIncarnation: peer.incarnation });
}
