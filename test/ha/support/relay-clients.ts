import { join } from 'node:path';
import { REPO_ROOT } from '../../harness/daemons.js';
import { startProcess, type Started } from '../../harness/processes.js';
import type { HaCluster } from './ha-cluster.js';

const RELAY_CLIENT = join(REPO_ROOT, 'test/harness/relay-client.mjs');

export interface RelayEvent {
  readonly event: 'ack' | 'nak' | 'no-ack' | 'no-offer' | 'done';
  readonly address?: string;
  readonly mac?: string;
}

export interface RelayRun {
  readonly process: Started;
  /** Every line printed so far: one per client outcome, the moment it happened. */
  events(): RelayEvent[];
  acks(): RelayEvent[];
  finished(timeoutMs: number): Promise<RelayEvent[]>;
}

/**
 * The harness' relay client in the client namespace, forwarding each query to every server of the
 * cluster (a relay with one helper address per server), printing each ACK as it arrives.
 */
export const startRelayClients = (
  cluster: HaCluster,
  opts: { readonly clients: number; readonly macBase: string; readonly concurrency?: number; readonly timeoutMs?: number; readonly retries?: number; readonly servers?: readonly string[] },
): RelayRun => {
  const servers = (opts.servers ?? [...cluster.servers.keys()]).map((name) => cluster.server(name).host.address);
  const client = cluster.client;
  const process = startProcess(
    client.ns,
    globalThis.process.execPath,
    [
      RELAY_CLIENT,
      '--server', servers.join(','),
      '--giaddr', client.address,
      '--clients', String(opts.clients),
      '--mac-base', opts.macBase,
      '--concurrency', String(opts.concurrency ?? 8),
      '--timeout-ms', String(opts.timeoutMs ?? 500),
      '--retries', String(opts.retries ?? 4),
    ],
    join(cluster.dir, `relay-${opts.macBase.replaceAll(':', '')}.log`),
  );
  const events = (): RelayEvent[] =>
    process
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as RelayEvent);
  return {
    process,
    events,
    acks: () => events().filter((e) => e.event === 'ack'),
    finished: async (timeoutMs) => {
      await process.waitFor(/"event":"done"/, timeoutMs);
      return events();
    },
  };
};
