import { match } from 'ts-pattern';
import type { KeaCompat } from '../config/types.js';
import { buildDhcpDisable, buildDhcpEnable, buildSyncCompleteNotify } from '../wire/commands.js';
import { parsePeerAnswer, type ControlRequest, type KeaService } from '../wire/envelope.js';
import { buildLease4GetPage, parseLease4GetPageAnswer, type Lease4Record } from '../wire/lease4.js';

/**
 * The lease database synchronisation of spec §9 as a pure step function: the caller sends each
 * request, applies each page to its store, and feeds the outcome back. Used by the syncing state
 * (source = partner) and by the ha-sync command (source = the named server).
 */
export interface SyncOptions {
  readonly service: KeaService;
  readonly compat: KeaCompat;
  /** This server's name (HEAD's notify names its sender). */
  readonly serverName: string;
  /** dhcp-disable max-period in seconds; 0 sends none (admin ha-sync without a period). */
  readonly maxPeriodS: number;
  readonly pageLimit: number;
  /** HTTP timeout of each lease page (sync-timeout). */
  readonly pageTimeoutMs: number;
}

/** Fixed HTTP timeout of every other request (§8.1). */
export const SYNC_COMMAND_TIMEOUT_MS = 10_000;

type Phase = 'disable' | 'page' | 'notify' | 'enable';

export interface SyncState {
  readonly options: SyncOptions;
  readonly phase: Phase;
  /** `from` of the next page: 'start' or the last address of the previous full page. */
  readonly from: string;
  readonly pages: number;
  readonly leasesReceived: number;
  /** The source's DHCP service was disabled by this run, so a failure must re-enable it. */
  readonly sourceDisabled: boolean;
  /** The first error; the procedure reports it whatever happens afterwards. */
  readonly error?: string;
  /** A failure of this kind marks the source unavailable (§3.9). */
  readonly sourceUnavailable: boolean;
}

export type SyncStep =
  | { readonly kind: 'send'; readonly state: SyncState; readonly request: ControlRequest; readonly timeoutMs: number }
  /** Merge these leases into the local store (see `syncMergeAction`), then call `syncApplied`. */
  | { readonly kind: 'apply'; readonly state: SyncState; readonly leases: readonly Lease4Record[]; readonly skipped: number }
  | { readonly kind: 'done'; readonly ok: true; readonly pages: number; readonly leases: number }
  | {
      readonly kind: 'done';
      readonly ok: false;
      readonly error: string;
      readonly sourceUnavailable: boolean;
      readonly pages: number;
      readonly leases: number;
    };

/** What came back for the last request: the parsed JSON body, or a transport failure. */
export type SyncReply = { readonly kind: 'answer'; readonly body: unknown } | { readonly kind: 'transport-error'; readonly message: string };

export function startSync(options: SyncOptions): SyncStep {
  const state: SyncState = { options, phase: 'disable', from: 'start', pages: 0, leasesReceived: 0, sourceDisabled: false, sourceUnavailable: false };
  if (options.pageLimit <= 0) {
    // Kea validates sync-page-limit 0 but every sync with it fails (quirk §13.18).
    return { kind: 'done', ok: false, error: "invalid limit of leases in a page: 'sync-page-limit' must be positive", sourceUnavailable: false, pages: 0, leases: 0 };
  }
  return disableStep(state);
}

const disableStep = (state: SyncState): SyncStep => ({
  kind: 'send',
  state: { ...state, phase: 'disable' },
  request: buildDhcpDisable({ service: state.options.service, compat: state.options.compat, maxPeriodS: state.options.maxPeriodS }),
  timeoutMs: SYNC_COMMAND_TIMEOUT_MS,
});

function pageStep(state: SyncState): SyncStep {
  const built = buildLease4GetPage(state.from, state.options.pageLimit);
  if (!built.ok) return fail(state, built.reason, false);
  return { kind: 'send', state: { ...state, phase: 'page' }, request: built.value, timeoutMs: state.options.pageTimeoutMs };
}

const notifyStep = (state: SyncState): SyncStep => ({
  kind: 'send',
  state: { ...state, phase: 'notify' },
  request: buildSyncCompleteNotify({ service: state.options.service, compat: state.options.compat, serverName: state.options.serverName }),
  timeoutMs: SYNC_COMMAND_TIMEOUT_MS,
});

const enableStep = (state: SyncState): SyncStep => ({
  kind: 'send',
  state: { ...state, phase: 'enable' },
  request: buildDhcpEnable({ service: state.options.service, compat: state.options.compat }),
  timeoutMs: SYNC_COMMAND_TIMEOUT_MS,
});

/** Record the first error; re-enable the source if this run disabled it, else finish. */
function fail(state: SyncState, error: string, sourceUnavailable: boolean): SyncStep {
  const failed: SyncState = {
    ...state,
    error: state.error ?? error,
    sourceUnavailable: state.sourceUnavailable || sourceUnavailable,
  };
  if (failed.sourceDisabled && state.phase !== 'enable' && state.phase !== 'notify') return enableStep(failed);
  return finish(failed);
}

function finish(state: SyncState): SyncStep {
  return state.error === undefined
    ? { kind: 'done', ok: true, pages: state.pages, leases: state.leasesReceived }
    : {
        kind: 'done',
        ok: false,
        error: state.error,
        sourceUnavailable: state.sourceUnavailable,
        pages: state.pages,
        leases: state.leasesReceived,
      };
}

/** Advance after the reply to the request of the last `send` step. */
export function syncReplied(state: SyncState, reply: SyncReply): SyncStep {
  const compat = state.options.compat;
  if (reply.kind === 'transport-error') return fail(state, reply.message, state.phase !== 'enable');
  return match(state.phase)
    .with('disable', (): SyncStep => {
      const peer = parsePeerAnswer(reply.body, compat);
      if (peer.kind !== 'ok') return fail(state, peer.text, true);
      return pageStep({ ...state, sourceDisabled: true });
    })
    .with('page', (): SyncStep => {
      const page = parseLease4GetPageAnswer(reply.body, compat);
      if (!page.ok) return fail(state, page.reason, true);
      const leases: Lease4Record[] = [];
      let skipped = 0;
      for (const entry of page.value.entries) {
        if (entry.ok) leases.push(entry.value);
        else skipped += 1;
      }
      const full = page.value.entries.length >= state.options.pageLimit;
      const last = leases.at(-1);
      const next: SyncState = {
        ...state,
        pages: state.pages + 1,
        leasesReceived: state.leasesReceived + leases.length,
        // A full page continues after its last lease; an empty `from` marks the last page.
        from: full && last !== undefined ? last.address : '',
      };
      return { kind: 'apply', state: next, leases, skipped };
    })
    .with('notify', (): SyncStep => {
      const peer = parsePeerAnswer(reply.body, compat);
      if (peer.kind === 'ok') return finish(state);
      // A peer that does not know the notify is re-enabled the old way (§8.11).
      if (peer.kind === 'unsupported') return enableStep(state);
      return finish({ ...state, error: state.error ?? peer.text, sourceUnavailable: true });
    })
    .with('enable', (): SyncStep => {
      const peer = parsePeerAnswer(reply.body, compat);
      if (peer.kind === 'ok') return finish(state);
      return finish({ ...state, error: state.error ?? peer.text, sourceUnavailable: true });
    })
    .exhaustive();
}

/** Advance after the leases of an `apply` step were merged into the local store. */
export function syncApplied(state: SyncState): SyncStep {
  if (state.from !== '') return disableStep(state);
  return notifyStep(state);
}
