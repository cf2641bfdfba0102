/**
 * The exploration's state hash: a canonical text of what can influence the cluster's future, and
 * nothing else. Absolute times become times relative to now (a state reached at t=40 s and the
 * same state reached at t=50 s behave alike); counters, message ids, query ids and sequence
 * numbers are replaced by what they stand for (the task that waits for a message, the client a
 * query belongs to), so two interleavings that end in the same situation hash alike.
 *
 * What is deliberately dropped (an abstraction, see docs/formal-model.md): the machine's log
 * bookkeeping (skew warning times), the exact machine time of the last event, the numeric values
 * of xids (only whether a message answers the client's current exchange), and the failure
 * detection's per-client records beyond the set of unacked client keys.
 */
import type { Cluster } from './cluster.js';
import type { ClientMessage, ServerMessage } from './dhcp-messages.js';
import type { Message } from './network.js';
import type { PeerState } from './peer.js';
import type { Task } from './tasks.js';
import { timerName } from './timers.js';
import { wallMs } from './clock.js';

/** 53-bit string hash (cyrb53): collisions are negligible at the state counts an exploration reaches. */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export function fingerprint(cluster: Cluster, extra = ''): string {
  const now = cluster.nowMs;
  const mrd = cluster.spec.maxResponseDelayMs;

  // Every task, by content: messages and queries are named after the task that waits for them.
  const taskName = new Map<number, string>();
  for (const peer of cluster.peers) {
    for (const task of peer.tasks) {
      if (task.awaiting !== undefined) taskName.set(task.awaiting.messageId, `${peer.name}:${describeTask(task)}`);
    }
  }
  const parts: string[] = [extra, `cut=${[...cluster.network.cut].sort().join(',')}`];
  for (const peer of cluster.peers) {
    // Machine times are the peer's wall clock: a past moment becomes "how long ago", clipped where
    // only "more than max-response-delay" still matters.
    const wall = wallMs(peer.clock, now);
    parts.push(describePeer(cluster, peer, (t) => Math.min(wall - t, mrd + 1)));
  }
  const messages = cluster.network.inFlight.map((m) => describeMessage(cluster, m, taskName)).sort();
  parts.push(`msgs=${messages.join(';')}`);
  for (const client of cluster.clients) {
    const lease = client.lease;
    parts.push(
      [
        client.name,
        client.phase,
        client.attempts,
        client.nextMs === undefined ? '-' : client.nextMs - now,
        now - client.exchangeStartMs,
        now - client.requestSentMs,
        client.offer === undefined ? '-' : `${client.offer.address}@${client.offer.server}`,
        lease === undefined ? '-' : `${lease.address}@${lease.server}/${lease.ackedInState}/${now - lease.boundAtMs}/${lease.validLifetimeS}`,
      ].join(' '),
    );
  }
  return parts.join('\n');
}

function describePeer(cluster: Cluster, peer: PeerState, since: (t: number) => number): string {
  const now = cluster.nowMs;
  if (!peer.up || peer.snapshot === undefined) {
    return `${peer.name} down skew=${peer.clock.skewMs} store=${describeStore(cluster, peer)}`;
  }
  const c = peer.snapshot.context;
  const wall = wallMs(peer.clock, now);
  const p = c.partner;
  const unackedKeys: string[] = [];
  if (c.unacked.unackedClients > 0) {
    for (const bucket of c.unacked.buckets) {
      if (bucket.size === 0) continue;
      for (const [key, unacked] of bucket) if (unacked) unackedKeys.push(key);
    }
    unackedKeys.sort();
  }
  const machine = [
    JSON.stringify(peer.snapshot.value),
    c.state,
    c.previousState,
    c.paused ? 'paused' : '',
    c.pauseOnceUsed.join('+'),
    c.skipEvaluation ? 'skip' : '',
    c.maintenanceEntry ? 'maint' : '',
    c.servedScopes.join('+'),
    JSON.stringify(c.network),
    c.dhcpEnabled,
    `partner=${p.state}/${p.scopes.join('+')}/${p.unsentPrevious}/${p.unsentCurrent}/${since(p.lastContactMs)}/${p.clockSkewS ?? '-'}/${p.syncCompleteNotified}`,
    `unacked=${unackedKeys.join('+')}`,
    `unsent=${c.unsentUpdateCount}`,
    `backlog=${c.backlog.overflowed}/${c.backlog.operations.map((o) => `${o.op}:${o.lease.address}:${o.lease.hwAddress}`).join('+')}`,
    `parked=${c.parked.map((q) => `${q.clientKey}:${q.awaiting.join('+')}:${q.failure ?? ''}`).sort().join('+')}`,
    `rejected=${Object.keys(c.rejected).length}`,
    c.syncing,
    c.pendingCommand?.kind ?? '',
  ].join(' ');
  const timers = peer.timers.map((t) => `${timerName(t.id)}@${t.dueMs - now}`).sort();
  const tasks = peer.tasks
    .map((t) => `${describeTask(t)}${t.awaiting === undefined ? '' : `@${t.awaiting.deadlineMs - now}`}`)
    .sort();
  const replies = [...peer.replies.values()].map((r) => `${r.client}:${r.message.op}:${r.message.address ?? ''}`).sort();
  const inbound = [...peer.inbound.values()].map((i) => `${i.from}:${i.command}`).sort();
  return [
    `${peer.name} up`,
    machine,
    `clock=${peer.clock.skewMs}/${Math.max(0, peer.clock.lastNowMs - wall)}`,
    `dhcp=${peer.dhcpEnabled}`,
    `scopes=${peer.servedScopes.join('+')}`,
    `timers=${timers.join(',')}`,
    `tasks=${tasks.join(',')}`,
    `replies=${replies.join(',')}`,
    `inbound=${inbound.join(',')}`,
    `oracle=${since(peer.oracle.lastContactMs)}/${[...peer.oracle.unacked].sort().join('+')}`,
    `store=${describeStore(cluster, peer)}`,
  ].join(' | ');
}

function describeStore(cluster: Cluster, peer: PeerState): string {
  const nowS = Math.floor(wallMs(peer.clock, cluster.nowMs) / 1000);
  return [...peer.store.values()]
    .map((l) => `${l.address}=${l.hwAddress}/${l.clttS - nowS}/${l.validLifetimeS}/${l.state}`)
    .sort()
    .join(',');
}

function describeTask(task: Task): string {
  const b = task.body;
  switch (b.kind) {
    case 'lease-updates':
      return `lu>${task.peer}:${b.ops.map((o) => `${o.op}:${o.lease.address}:${o.lease.hwAddress}:${o.lease.clttS}`).join('+')}:${b.next}`;
    case 'backlog':
      return `bl>${task.peer}:${b.ops.length}:${b.next}`;
    case 'sync':
      return `sync>${task.peer}:${JSON.stringify(b.phase)}:${b.from}:${b.applied}`;
    case 'maintenance-notify':
      return `mn>${task.peer}:${b.cancel}`;
    default:
      return `${b.kind}>${task.peer}`;
  }
}

function describeMessage(cluster: Cluster, m: Message, taskName: ReadonlyMap<number, string>): string {
  const due = m.dueMs === undefined ? '' : `@${m.dueMs - cluster.nowMs}`;
  if (m.channel === 'dhcp') {
    if (cluster.isClient(m.from)) {
      const q = m.body as ClientMessage;
      const client = cluster.clients.find((c) => c.name === q.client);
      return `d ${m.from}>${m.to} ${q.op} x${client === undefined ? 0 : q.xid - client.xid} s${q.secs} ${q.requested ?? ''} ${q.ciaddr ?? ''}${due}`;
    }
    const r = m.body as ServerMessage;
    const client = cluster.clients.find((c) => c.name === m.to);
    return `d ${m.from}>${m.to} ${r.op} x${client === undefined ? 0 : r.xid - client.xid} ${r.address ?? ''} ${r.sentInState}${due}`;
  }
  const owner = m.kind === 'request' ? taskName.get(m.id) : m.inReplyTo === undefined ? undefined : taskName.get(m.inReplyTo);
  return `c ${m.kind} ${m.from}>${m.to} ${owner ?? 'orphan'} ${m.transportError ?? ''} ${JSON.stringify(m.body)}${due}`;
}
