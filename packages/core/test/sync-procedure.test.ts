import { describe, expect, it } from 'vitest';
import {
  buildLease4PageAnswer,
  parseLease4GetPageArgs,
  startSync,
  syncApplied,
  syncMergeAction,
  syncReplied,
  type ControlRequest,
  type Lease4Record,
  type SyncOptions,
  type SyncReply,
  type SyncStep,
} from '../src/index.js';

const lease = (address: string, clttS: number, hw = '08:00:27:00:00:01'): Lease4Record => ({
  address,
  hwAddress: hw,
  validLifetimeS: 3600,
  clttS,
  subnetId: 1,
  fqdnFwd: false,
  fqdnRev: false,
  hostname: '',
  state: 0,
});

const ok = (text = 'ok', args?: unknown): SyncReply => ({ kind: 'answer', body: [args === undefined ? { result: 0, text } : { result: 0, text, arguments: args }] });

const OPTIONS: SyncOptions = { service: 'dhcp4', compat: '2.2', serverName: 'server2', maxPeriodS: 60, pageLimit: 2, pageTimeoutMs: 60_000 };

/**
 * Runs the procedure against a source holding `remote` and a local store `local`, answering each
 * request with `answerFor`; returns the commands sent and the final step.
 */
function run(
  remote: Lease4Record[],
  local: Map<string, Lease4Record>,
  answerFor: (request: ControlRequest, n: number) => SyncReply | undefined = () => undefined,
  options: SyncOptions = OPTIONS,
): { sent: ControlRequest[]; done: Extract<SyncStep, { kind: 'done' }> } {
  const sent: ControlRequest[] = [];
  let step = startSync(options);
  for (let guard = 0; guard < 1000; guard++) {
    if (step.kind === 'done') return { sent, done: step };
    if (step.kind === 'apply') {
      for (const received of step.leases) {
        const action = syncMergeAction(local.get(received.address), received);
        if (action !== 'keep') local.set(received.address, received);
      }
      step = syncApplied(step.state);
      continue;
    }
    sent.push(step.request);
    const override = answerFor(step.request, sent.length);
    if (override !== undefined) {
      step = syncReplied(step.state, override);
      continue;
    }
    if (step.request.command === 'lease4-get-page') {
      const args = parseLease4GetPageArgs(step.request.arguments);
      if (!args.ok) throw new Error(args.reason);
      const sorted = [...remote].sort((a, b) => ipNum(a.address) - ipNum(b.address));
      const from = args.value.from;
      const after = from === 'start' ? sorted : sorted.filter((l) => ipNum(l.address) > ipNum(from));
      step = syncReplied(step.state, { kind: 'answer', body: [buildLease4PageAnswer(after.slice(0, args.value.limit), '2.2')] });
    } else {
      step = syncReplied(step.state, ok());
    }
  }
  throw new Error('sync did not finish');
}

const ipNum = (a: string): number => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);

describe('lease database synchronisation (§9)', () => {
  it('SY-01 dhcp-disable before each page, pages from the last address, newer remote wins, local-only kept', () => {
    const remote = [lease('192.0.2.1', 200), lease('192.0.2.2', 100), lease('192.0.2.3', 300), lease('192.0.2.4', 50), lease('192.0.2.5', 500)];
    const local = new Map<string, Lease4Record>([
      ['192.0.2.2', lease('192.0.2.2', 150, 'aa:aa:aa:aa:aa:aa')], // newer locally: kept
      ['192.0.2.3', lease('192.0.2.3', 100, 'bb:bb:bb:bb:bb:bb')], // older locally: overwritten
      ['192.0.2.4', lease('192.0.2.4', 50, 'cc:cc:cc:cc:cc:cc')], // equal cltt: kept
      ['192.0.2.9', lease('192.0.2.9', 10)], // only local: never deleted
    ]);
    const { sent, done } = run(remote, local);
    expect(done).toMatchObject({ ok: true, pages: 3, leases: 5 });
    expect(sent.map((r) => `${r.command}${r.command === 'lease4-get-page' ? ' ' + String((r.arguments as { from: string }).from) : ''}`)).toEqual([
      'dhcp-disable',
      'lease4-get-page start',
      'dhcp-disable',
      'lease4-get-page 192.0.2.2',
      'dhcp-disable',
      'lease4-get-page 192.0.2.4',
      'ha-sync-complete-notify',
    ]);
    expect(sent[0]?.arguments).toEqual({ origin: 'ha-partner', 'max-period': 60 });
    expect(local.get('192.0.2.1')?.clttS).toBe(200);
    expect(local.get('192.0.2.2')?.hwAddress).toBe('aa:aa:aa:aa:aa:aa');
    expect(local.get('192.0.2.3')?.clttS).toBe(300);
    expect(local.get('192.0.2.4')?.hwAddress).toBe('cc:cc:cc:cc:cc:cc');
    expect(local.has('192.0.2.9')).toBe(true);
  });

  it('an empty source answers result 3 and the sync still succeeds', () => {
    const { sent, done } = run([], new Map());
    expect(done.ok).toBe(true);
    expect(sent.map((r) => r.command)).toEqual(['dhcp-disable', 'lease4-get-page', 'ha-sync-complete-notify']);
  });

  it('SY-03 a malformed lease list fails the sync and re-enables the source', () => {
    const { sent, done } = run([], new Map(), (r) => (r.command === 'lease4-get-page' ? ok('x', { leases: 'nope' }) : undefined));
    expect(done).toMatchObject({ ok: false, sourceUnavailable: true });
    expect(sent.map((r) => r.command)).toEqual(['dhcp-disable', 'lease4-get-page', 'dhcp-enable']);
  });

  it('SY-04 source offline: the first step fails, source unavailable, nothing else sent', () => {
    const { sent, done } = run([], new Map(), () => ({ kind: 'transport-error', message: 'Connection refused' }));
    expect(done).toMatchObject({ ok: false, error: 'Connection refused', sourceUnavailable: true });
    expect(sent.map((r) => r.command)).toEqual(['dhcp-disable']);
  });

  it('SY-07 dhcp-disable refused: no page fetched and no dhcp-enable sent', () => {
    const { sent, done } = run([lease('192.0.2.1', 1)], new Map(), (r) =>
      r.command === 'dhcp-disable' ? { kind: 'answer', body: [{ result: 1, text: 'boom' }] } : undefined,
    );
    expect(done).toMatchObject({ ok: false, error: 'boom, error code 1' });
    expect(sent.map((r) => r.command)).toEqual(['dhcp-disable']);
  });

  it('SY-08 page fetch fails: dhcp-enable sent, no notify, first error reported', () => {
    const { sent, done } = run([lease('192.0.2.1', 1)], new Map(), (r) =>
      r.command === 'lease4-get-page' ? { kind: 'transport-error', message: 'timeout' } : undefined,
    );
    expect(done).toMatchObject({ ok: false, error: 'timeout' });
    expect(sent.map((r) => r.command)).toEqual(['dhcp-disable', 'lease4-get-page', 'dhcp-enable']);
  });

  it('a later page whose dhcp-disable fails re-enables the source', () => {
    const remote = [lease('192.0.2.1', 1), lease('192.0.2.2', 1), lease('192.0.2.3', 1)];
    const { sent, done } = run(remote, new Map(), (r, n) =>
      r.command === 'dhcp-disable' && n > 1 ? { kind: 'transport-error', message: 'Connection reset by peer' } : undefined,
    );
    expect(done.ok).toBe(false);
    expect(sent.map((r) => r.command)).toEqual(['dhcp-disable', 'lease4-get-page', 'dhcp-disable', 'dhcp-enable']);
  });

  it('SY-09 notify fails: the sync is an error', () => {
    const { done } = run([], new Map(), (r) =>
      r.command === 'ha-sync-complete-notify' ? { kind: 'answer', body: [{ result: 1, text: 'nope' }] } : undefined,
    );
    expect(done).toMatchObject({ ok: false, error: 'nope, error code 1' });
  });

  it('SY-10 peer does not support the notify: dhcp-enable instead, and its failure is the error', () => {
    const { sent, done } = run([], new Map(), (r) => {
      if (r.command === 'ha-sync-complete-notify') return { kind: 'answer', body: [{ result: 2, text: "'ha-sync-complete-notify' command not supported." }] };
      if (r.command === 'dhcp-enable') return { kind: 'answer', body: [{ result: 1, text: 'enable failed' }] };
      return undefined;
    });
    expect(sent.map((r) => r.command)).toEqual(['dhcp-disable', 'lease4-get-page', 'ha-sync-complete-notify', 'dhcp-enable']);
    expect(done).toMatchObject({ ok: false, error: 'enable failed, error code 1' });
  });

  it('SY-10 peer does not support the notify and dhcp-enable works: success', () => {
    const { done } = run([], new Map(), (r) =>
      r.command === 'ha-sync-complete-notify' ? { kind: 'answer', body: [{ result: 2, text: 'unsupported' }] } : undefined,
    );
    expect(done.ok).toBe(true);
  });

  it('SY-11 a 401 refusal (map body) fails the sync', () => {
    const { done } = run([], new Map(), () => ({ kind: 'answer', body: { result: 401, text: 'Unauthorized' } }));
    expect(done).toMatchObject({ ok: false, sourceUnavailable: true });
  });

  it('admin ha-sync without max-period sends dhcp-disable without it', () => {
    const { sent } = run([], new Map(), undefined, { ...OPTIONS, maxPeriodS: 0 });
    expect(sent[0]?.arguments).toEqual({ origin: 'ha-partner' });
  });

  it('sync-page-limit 0 fails every sync before sending anything (quirk §13.18)', () => {
    const { sent, done } = run([], new Map(), undefined, { ...OPTIONS, pageLimit: 0 });
    expect(done.ok).toBe(false);
    expect(sent).toEqual([]);
  });
});
