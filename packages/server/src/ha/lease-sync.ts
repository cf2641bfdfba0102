import { performance } from 'node:perf_hooks';
import { startSync, syncApplied, syncMergeAction, syncReplied, type KeaCompat, type Lease4Record, type SyncReply, type SyncStep } from '@tandem/core';
import type { LeaseStore } from '@tandem/leases';
import { HA_MSG, type HaLog } from './ha-log.js';
import { leaseFromRecord, leaseToRecord } from './lease-record.js';
import type { PeerClients } from './peer-clients.js';

/**
 * Runs the lease database synchronisation of spec §9 — the core's pure step function
 * (`startSync` / `syncReplied` / `syncApplied`) driven with a real peer client and the local lease
 * store. Used by the syncing state (`sync.start`) and by the admin `ha-sync` command.
 */
export interface SyncEnv {
  readonly clients: PeerClients;
  readonly store: LeaseStore;
  readonly compat: KeaCompat;
  readonly serverName: string;
  readonly log: HaLog;
}

export interface SyncRequest {
  /** The peer the leases come from. */
  readonly source: string;
  /** dhcp-disable max-period; 0 sends none. */
  readonly maxPeriodS: number;
  readonly pageLimit: number;
  readonly pageTimeoutMs: number;
}

export type SyncResult =
  | { readonly ok: true; readonly pages: number; readonly leases: number; readonly durationMs: number }
  | { readonly ok: false; readonly error: string; readonly pages: number; readonly leases: number; readonly durationMs: number };

interface MergeCounts {
  inserted: number;
  overwritten: number;
  kept: number;
  failed: number;
}

/**
 * Never rejects. When `signal` aborts (the daemon is stopping), no further page is fetched; the
 * source's DHCP service, if this run disabled it, is still re-enabled (the core's failure path).
 */
export async function runLeaseSync(env: SyncEnv, request: SyncRequest, signal: AbortSignal): Promise<SyncResult> {
  const startedMs = performance.now();
  const elapsedMs = (): number => Math.round(performance.now() - startedMs);
  // After a restart the local store usually holds about what the source holds: a rough total for the ETA.
  const expectedLeases = await env.store.count().catch(() => 0);
  const counts: MergeCounts = { inserted: 0, overwritten: 0, kept: 0, failed: 0 };
  let step: SyncStep = startSync({
    service: 'dhcp4',
    compat: env.compat,
    serverName: env.serverName,
    maxPeriodS: request.maxPeriodS,
    pageLimit: request.pageLimit,
    pageTimeoutMs: request.pageTimeoutMs,
  });
  for (;;) {
    switch (step.kind) {
      case 'send': {
        const phase = step.state.phase;
        const reply: SyncReply =
          signal.aborted && (phase === 'disable' || phase === 'page')
            ? { kind: 'transport-error', message: 'synchronization aborted: the server is shutting down' }
            : await sendStep(env, request.source, step);
        step = syncReplied(step.state, reply);
        break;
      }
      case 'apply': {
        const pageStartedMs = performance.now();
        await mergePage(env, step.leases, counts);
        const received = step.state.leasesReceived;
        const seconds = (performance.now() - startedMs) / 1000;
        const ratePerS = seconds > 0 ? Math.round(received / seconds) : received;
        const remaining = expectedLeases - received;
        const etaS = remaining > 0 && ratePerS > 0 ? Math.ceil(remaining / ratePerS) : undefined;
        env.log(
          'info',
          HA_MSG.SYNC_PAGE_RECEIVED,
          `received ${step.leases.length} leases from ${request.source} (page ${step.state.pages}, ${received} leases so far, ${ratePerS} leases/s${etaS !== undefined ? `, about ${etaS} s left if ${request.source} holds as many leases as this server` : ''})`,
          {
            source: request.source,
            page: step.state.pages,
            pageLeases: step.leases.length,
            skipped: step.skipped,
            leasesReceived: received,
            ...counts,
            pageApplyMs: Math.round(performance.now() - pageStartedMs),
            elapsedMs: elapsedMs(),
            ratePerS,
            ...(etaS !== undefined ? { etaS } : {}),
            lastAddress: step.leases.at(-1)?.address ?? null,
          },
        );
        step = syncApplied(step.state);
        break;
      }
      case 'done': {
        const summary = { source: request.source, pages: step.pages, leases: step.leases, ...counts, durationMs: elapsedMs() };
        if (step.ok) {
          env.log('info', HA_MSG.SYNC_TRANSFER_DONE, `lease transfer from ${request.source} done: ${step.leases} leases in ${step.pages} pages, ${summary.durationMs} ms`, summary);
          return { ok: true, pages: step.pages, leases: step.leases, durationMs: summary.durationMs };
        }
        env.log('warn', HA_MSG.SYNC_TRANSFER_DONE, `lease transfer from ${request.source} failed after ${step.pages} pages: ${step.error}`, { ...summary, error: step.error });
        return { ok: false, error: step.error, pages: step.pages, leases: step.leases, durationMs: summary.durationMs };
      }
    }
  }
}

async function sendStep(env: SyncEnv, source: string, step: Extract<SyncStep, { kind: 'send' }>): Promise<SyncReply> {
  const reply = await env.clients.send(source, step.request, step.timeoutMs);
  return reply.kind === 'answer' ? { kind: 'answer', body: reply.body } : { kind: 'transport-error', message: reply.message };
}

/**
 * §9 step 4 for one page: insert, overwrite an older local lease, or keep ours; never delete. The
 * leases of a page have distinct addresses, so they are merged side by side (the memfile store
 * makes them durable in shared group commits). A lease that cannot be stored is logged and skipped.
 */
async function mergePage(env: SyncEnv, leases: readonly Lease4Record[], counts: MergeCounts): Promise<void> {
  await Promise.all(
    leases.map(async (received) => {
      try {
        const action = await mergeLease(env.store, received);
        counts[action === 'insert' ? 'inserted' : action === 'overwrite' ? 'overwritten' : 'kept'] += 1;
      } catch (error) {
        counts.failed += 1;
        env.log('warn', HA_MSG.SYNC_LEASE_FAILED, `failed to store lease ${received.address} received during synchronization: ${(error as Error).message}`, {
          address: received.address,
        });
      }
    }),
  );
}

/** The store may change between the look-up and the write (a lease update from the partner): decide again once. */
async function mergeLease(store: LeaseStore, received: Lease4Record): Promise<'insert' | 'overwrite' | 'keep'> {
  const lease = leaseFromRecord(received);
  for (let attempt = 0; ; attempt++) {
    const local = await store.get(received.address);
    const action = syncMergeAction(local === undefined ? undefined : leaseToRecord(local), received);
    if (action === 'keep') return action;
    const written = action === 'insert' ? await store.add(lease) : await store.update(lease);
    if (written) return action;
    if (attempt > 0) throw new Error(`the lease changed in the store twice while it was being merged`);
  }
}
