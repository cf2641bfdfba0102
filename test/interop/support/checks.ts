import { join } from 'node:path';
import { classifyQuery4, type QueryFilter } from '@tandem/core';
import { expect } from 'vitest';
import { REPO_ROOT } from '../../harness/daemons.js';
import { parsePerfdhcpReport, perfdhcpArgs, type PerfdhcpReport, type PerfdhcpRun } from '../../harness/perfdhcp.js';
import { startProcess, type Started } from '../../harness/processes.js';
import { leaseFacts, type Lease, type MixedPair } from './mixed-pair.js';
import { LB_POOLS } from './pair-config.js';

const RELAY_CLIENT = join(REPO_ROOT, 'test/harness/relay-client.mjs');

export interface RelayEvent {
  readonly event: 'ack' | 'nak' | 'no-ack' | 'no-offer' | 'done';
  readonly address?: string;
  readonly mac?: string;
}

export interface RelayRun {
  readonly process: Started;
  acks(): RelayEvent[];
  /** Waits for the run to end and returns every client outcome. */
  finished(timeoutMs: number): Promise<RelayEvent[]>;
}

/**
 * The harness' relay client in the client namespace: a relay with both servers as helper addresses,
 * printing each ACK the moment it arrives, so a test that kills a server knows which clients were
 * acknowledged.
 */
export const startRelayClients = (
  pair: MixedPair,
  o: { readonly clients: number; readonly macBase: string; readonly concurrency?: number; readonly timeoutMs?: number; readonly retries?: number },
): RelayRun => {
  const servers = [...pair.servers.values()].map((s) => s.host.address);
  const process = startProcess(
    pair.client.ns,
    globalThis.process.execPath,
    [
      RELAY_CLIENT,
      '--server', servers.join(','),
      '--giaddr', pair.client.address,
      '--clients', String(o.clients),
      '--mac-base', o.macBase,
      '--concurrency', String(o.concurrency ?? 8),
      '--timeout-ms', String(o.timeoutMs ?? 500),
      '--retries', String(o.retries ?? 30),
    ],
    join(pair.dir, `relay-${o.macBase.replaceAll(':', '')}.log`),
  );
  const events = (): RelayEvent[] =>
    process
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as RelayEvent);
  return {
    process,
    acks: () => events().filter((e) => e.event === 'ack'),
    finished: async (timeoutMs) => {
      await process.waitFor(/"event":"done"/, timeoutMs);
      return events();
    },
  };
};

/**
 * perfdhcp (as a relay, broadcasting to both servers) that waits 5 s for the last answers and counts an
 * exchange as dropped only after 5 s: on the shared 2-core machine a parked ACK (held until the partner
 * acknowledged the lease update, §10.3) can take seconds, which the harness' 1 s exit wait would count
 * as lost although the client got its ACK. Give it a `periodS` well beyond the sending time plus 5 s:
 * perfdhcp counts whatever is outstanding when its test period ends as dropped.
 */
export const runPatientPerfdhcp = async (run: Omit<PerfdhcpRun, 'dropTimeS'>, logFile: string): Promise<PerfdhcpReport> => {
  const args = perfdhcpArgs({ ...run, dropTimeS: 5 });
  args[args.indexOf('-W') + 1] = '5000000';
  const perfdhcp = startProcess(run.ns, 'perfdhcp', args, logFile);
  const exit = await perfdhcp.exited;
  return parsePerfdhcpReport(perfdhcp.output(), typeof exit === 'number' ? exit : -1);
};

/**
 * perfdhcp answered every exchange it started (DORA, no drops). At its rate it may start a few more
 * than `-n` (its rate control sends in small bursts); those repeat clients of the `-R` population.
 * Returns how many exchanges it started beyond `clients`.
 */
export const expectEveryExchangeAnswered = (report: PerfdhcpReport, clients: number): number => {
  const discover = report.exchanges['DISCOVER-OFFER']!;
  const request = report.exchanges['REQUEST-ACK']!;
  expect({ discover, request }).toEqual({
    discover: { ...discover, received: discover.sent, drops: 0 },
    request: { ...request, sent: discover.sent, received: discover.sent, drops: 0 },
  });
  expect(discover.sent).toBeGreaterThanOrEqual(clients);
  return discover.sent - clients;
};

/** Waits until the relay client has printed `count` ACKs. */
export const waitForAcks = (run: RelayRun, count: number, timeoutMs = 30_000): Promise<void> =>
  run.process.waitFor((out) => out.split('"event":"ack"').length > count, timeoutMs);

/**
 * Every client of the run was acknowledged, except those caught between OFFER and ACK by a kill: their
 * REQUEST names the dead server's identifier, which the survivor rightly ignores (RFC 2131 §4.3.2;
 * Kea 2.2 drops it too), and the harness client does not fall back to a new DISCOVER as a real
 * client would. At most one per concurrent client, and never a NAK or a client left without an offer.
 */
export const expectEveryClientServed = (events: readonly RelayEvent[], clients: number, concurrency = 8): void => {
  const acks = events.filter((e) => e.event === 'ack');
  const failed = events.filter((e) => e.event !== 'ack' && e.event !== 'done');
  expect(failed.filter((e) => e.event !== 'no-ack')).toEqual([]);
  expect(failed.length).toBeLessThanOrEqual(concurrency);
  expect(acks.length + failed.length).toBe(clients);
};

/** Every acknowledged lease is held, for the client it was acknowledged to, by each named server. */
export const expectAcksHeld = async (pair: MixedPair, acks: readonly RelayEvent[], names: readonly string[] = [...pair.servers.keys()]): Promise<void> => {
  for (const name of names) {
    const leases = await pair.leases(name);
    const missing = acks.filter((ack) => leases.get(ack.address as string)?.['hw-address'] !== ack.mac);
    expect({ server: pair.describe(name), missing: missing.slice(0, 5), missingCount: missing.length }).toEqual({
      server: pair.describe(name),
      missing: [],
      missingCount: 0,
    });
  }
};

export interface AgreeOptions {
  /**
   * Servers killed (SIGKILL) during the scenario and restarted. Such a server may keep a lease it
   * committed just before it died whose update never reached its partner (so its client was never
   * acknowledged): the restarted server's sync adds and overwrites but never deletes (§9), as between
   * two Kea servers. Such a lease may not be one that was acknowledged to a client.
   */
  readonly killed?: readonly string[];
  readonly acks?: readonly RelayEvent[];
}

/**
 * The lease sets of the two named servers (lease4-get-all on each) are equal lease by lease; returns
 * them for further checks.
 */
export const expectLeaseSetsAgree = async (
  pair: MixedPair,
  a: string,
  b: string,
  options: AgreeOptions = {},
): Promise<{ readonly [name: string]: Map<string, Lease> }> => {
  const sets = { [a]: await pair.leases(a), [b]: await pair.leases(b) } as Record<string, Map<string, Lease>>;
  const acked = new Set((options.acks ?? []).map((ack) => `${ack.address} ${ack.mac}`));
  const differing: unknown[] = [];
  const orphans: Record<string, string[]> = { [a]: [], [b]: [] };
  for (const [self, other] of [
    [a, b],
    [b, a],
  ] as const) {
    for (const [address, lease] of sets[self]!) {
      const copy = sets[other]!.get(address);
      if (copy === undefined) {
        const tolerated = (options.killed ?? []).includes(self) && !acked.has(`${address} ${String(lease['hw-address'])}`);
        if (tolerated) orphans[self]!.push(address);
        else differing.push({ onlyOn: pair.describe(self), lease });
      } else if (self === a && leaseFacts(lease) !== leaseFacts(copy)) {
        differing.push({ address, [pair.describe(a)]: lease, [pair.describe(b)]: copy });
      }
    }
  }
  expect({ differing: differing.slice(0, 5), differingCount: differing.length }).toEqual({ differing: [], differingCount: 0 });
  // A kill leaves at most a few such leases (those in flight when the process died).
  for (const name of [a, b]) expect(orphans[name]!.length).toBeLessThanOrEqual(16);
  return sets;
};

const addressNumber = (a: string): number => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
export const inPool = (address: string, pool: string): boolean => {
  const [first, last] = pool.split(' - ').map(addressNumber) as [number, number];
  return addressNumber(address) >= first && addressNumber(address) <= last;
};
const hexBytes = (text: string): Uint8Array => Uint8Array.from(text === '' ? [] : text.split(':').map((h) => parseInt(h, 16)));

/**
 * The owner of each lease's client by the core's classification (§7.2: Pearson hash of the
 * client-id, else the MAC), for a load-balancing pair server1 (primary) / server2 (secondary).
 * Kea's `HA_<owner>` class chose the pool the address came from, so a lease from the other pool means
 * Kea and Tandem disagree on the hash.
 */
export const loadBalancingOwners = (leases: Iterable<Lease>): { readonly server1: Lease[]; readonly server2: Lease[]; readonly misplaced: unknown[] } => {
  const filter: QueryFilter = { mode: 'load-balancing', primaryName: 'server1', secondaryName: 'server2', servedScopes: new Set(['server1', 'server2']) };
  const owners = { server1: [] as Lease[], server2: [] as Lease[], misplaced: [] as unknown[] };
  for (const lease of leases) {
    const clientId = lease['client-id'] as string | undefined;
    // DHCPDISCOVER: the type does not change the owner of a load-balanced query.
    const owner = classifyQuery4(filter, {
      messageType: 1,
      chaddr: hexBytes(lease['hw-address'] as string),
      ...(clientId !== undefined && clientId !== '' ? { clientId: hexBytes(clientId) } : {}),
    }).scope as 'server1' | 'server2';
    owners[owner].push(lease);
    const pool = LB_POOLS.find((p) => p.clientClass === `HA_${owner}`)!;
    if (!inPool(lease['ip-address'] as string, pool.pool)) owners.misplaced.push({ owner, lease });
  }
  return owners;
};
