import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ControlResult,
  answer,
  answerList,
  formatPeerError,
  parseControlRequest,
  parsePeerAnswer,
  request,
  serializeKea,
  unsupportedCommandText,
} from '../src/wire/envelope.js';
import { fixtureJson, fixturePaths, fixtureText } from './wire-fixtures.js';

describe('parseControlRequest', () => {
  const requests = fixturePaths('.request.json');

  it('covers the captured requests (guard against an empty fixture set)', () => {
    expect(requests.length).toBeGreaterThan(60);
  });

  it.each(requests)('accepts the captured request %s', (path) => {
    const body = fixtureJson(path) as { command: string; service: string[] };
    const parsed = parseControlRequest(body);
    expect(parsed).toEqual({ ok: true, value: body });
    if (parsed.ok) expect(parsed.value.service).toEqual(['dhcp4']);
  });

  it.each([
    [[], 'Invalid command Element specified, expected map'],
    ['ha-heartbeat', 'Invalid command Element specified, expected map'],
    [{ service: ['dhcp4'] }, "Invalid answer specified, does not contain mandatory 'command'"],
    [{ command: 'ha-heartbeat', extra: 1 }, "Received command contains unsupported parameter 'extra'"],
    [{ command: 7 }, "'command' element in command message is not a string"],
    [{ command: '' }, "'command' element in command message must not be empty"],
    [{ command: 'ha-heartbeat', service: 'dhcp4' }, 'service value must be a list of strings'],
    [{ command: 'ha-heartbeat', service: ['dhcp4', 4] }, 'service value must be a list of strings'],
    [{ command: 'ha-scopes', arguments: ['server1'] }, "arguments in the 'ha-scopes' command are not a map"],
    [{ command: 'ha-scopes', arguments: null }, "arguments in the 'ha-scopes' command are not a map"],
  ])('refuses %j with %j', (body, reason) => {
    expect(parseControlRequest(body)).toEqual({ ok: false, reason });
  });

  it('accepts the remote-address key Kea adds when forwarding', () => {
    expect(parseControlRequest({ command: 'status-get', 'remote-address': '198.18.0.2' })).toEqual({
      ok: true,
      value: { command: 'status-get' },
    });
  });

  it('never throws on arbitrary JSON (property)', () => {
    fc.assert(fc.property(fc.jsonValue(), (body) => typeof parseControlRequest(body).ok === 'boolean'));
  });
});

describe('answers', () => {
  it('builds the unsupported-command answer byte for byte as captured', () => {
    const ours = answerList(answer(ControlResult.UNSUPPORTED, unsupportedCommandText('no-such-command')));
    expect(serializeKea(ours)).toBe(fixtureText('unknown-command.response.json'));
  });

  it('omits an empty text and absent arguments, as Kea does', () => {
    expect(answer(0, '')).toEqual({ result: 0 });
    expect(answer(0, 'done', { a: 1 })).toEqual({ result: 0, text: 'done', arguments: { a: 1 } });
  });

  it('builds requests with service always present and arguments only when given', () => {
    expect(serializeKea(request('ha-heartbeat', 'dhcp4'))).toBe(fixtureText('ha-heartbeat.peer.request.json'));
    expect(request('ha-sync', 'dhcp6', { 'server-name': 'server2' })).toEqual({
      command: 'ha-sync',
      service: ['dhcp6'],
      arguments: { 'server-name': 'server2' },
    });
  });

  it('defines the control result codes', () => {
    expect(ControlResult).toEqual({
      SUCCESS: 0,
      ERROR: 1,
      UNSUPPORTED: 2,
      EMPTY: 3,
      CONFLICT: 4,
      MAINTENANCE_NOT_ALLOWED: 1001,
    });
  });
});

describe('parsePeerAnswer', () => {
  const responses = fixturePaths('.response.json');

  it.each(responses)('accepts the captured answer %s', (path) => {
    const body = fixtureJson(path) as Array<{ result: number; text?: string; arguments?: unknown }>;
    const first = body[0]!;
    const peer = parsePeerAnswer(body);
    if (first.result === 2) {
      expect(peer).toEqual({ kind: 'unsupported', text: `${first.text}, error code 2` });
    } else {
      expect(peer).toEqual({ kind: 'ok', result: first.result, text: first.text ?? '', arguments: first.arguments });
    }
  });

  it('passes result 3 through with its arguments (empty lease page)', () => {
    const peer = parsePeerAnswer(fixtureJson('lease4-get-page.sync-empty.response.json'));
    expect(peer).toEqual({ kind: 'ok', result: 3, text: '0 IPv4 lease(s) found.', arguments: { count: 0, leases: [] } });
  });

  it('treats a map body as error code 1 whatever result it claims (401/403 refusals)', () => {
    expect(parsePeerAnswer({ result: 403, text: 'Forbidden' })).toEqual({
      kind: 'error',
      text: 'Forbidden, error code 1',
      result: 1,
      peerText: 'Forbidden',
    });
    expect(parsePeerAnswer({ result: 0, text: 'Unauthorized' }, 'head')).toMatchObject({
      kind: 'error',
      text: 'Unauthorized (error code 1)',
    });
    expect(parsePeerAnswer({ result: 0 })).toEqual({ kind: 'error', text: 'error code 1', result: 1 });
  });

  it.each([
    [undefined, 'no body found in the response'],
    [null, 'body of the response must be a list'],
    ['text', 'body of the response must be a list'],
    [[], 'list of responses must not be empty'],
    [[1], 'Invalid answer Element specified, expected map'],
    [[{ text: 'x' }], "Invalid answer specified, does not contain mandatory 'result'"],
    [[{ result: '0' }], "'result' in the answer is not an integer"],
    [[{ result: 0.5 }], "'result' in the answer is not an integer"],
  ])('reports %j as an error: %s', (body, text) => {
    expect(parsePeerAnswer(body)).toEqual({ kind: 'error', text });
  });

  it('looks only at the first answer of the list', () => {
    expect(parsePeerAnswer([{ result: 0, text: 'first' }, { result: 1, text: 'second' }])).toMatchObject({
      kind: 'ok',
      text: 'first',
    });
  });

  it('formats errors the 2.2 way and the HEAD way', () => {
    const refused = [{ result: 1, text: 'IPv4 lease update failed' }];
    expect(parsePeerAnswer(refused, '2.2')).toEqual({
      kind: 'error',
      text: 'IPv4 lease update failed, error code 1',
      result: 1,
      peerText: 'IPv4 lease update failed',
    });
    expect(parsePeerAnswer(refused, 'head')).toMatchObject({ text: 'IPv4 lease update failed (error code 1)' });
    expect(formatPeerError('busy', 1001, '2.2')).toBe('busy, error code 1001');
    expect(formatPeerError('busy', 1001, 'head')).toBe('busy (error code 1001)');
    expect(formatPeerError(undefined, 5, 'head')).toBe('error code 5');
  });

  it('quotes the peer text only when the answer has no arguments, as Kea does', () => {
    expect(parsePeerAnswer([{ result: 1, text: 'bad', arguments: {} }])).toMatchObject({ text: 'error code 1' });
  });

  it('distinguishes result 2 (unsupported) for the sync-complete-notify fallback', () => {
    expect(parsePeerAnswer([{ result: 2, text: "'ha-sync-complete-notify' command not supported." }])).toEqual({
      kind: 'unsupported',
      text: "'ha-sync-complete-notify' command not supported., error code 2",
    });
  });

  it('reads result 4 as a conflict only in HEAD compatibility (Kea 2.2 has no conflicts)', () => {
    const conflict = [{ result: 4, text: 'lease exists' }];
    expect(parsePeerAnswer(conflict, 'head')).toEqual({ kind: 'conflict', text: 'lease exists (error code 4)' });
    expect(parsePeerAnswer(conflict, '2.2')).toMatchObject({ kind: 'error', result: 4 });
  });

  it('reads 1001 (maintenance not allowed) as an error carrying the code', () => {
    expect(parsePeerAnswer([{ result: 1001, text: 'no' }])).toMatchObject({ kind: 'error', result: 1001 });
  });

  it('never throws on arbitrary JSON, in either compatibility (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom('2.2' as const, 'head' as const), (body, compat) =>
        ['ok', 'unsupported', 'conflict', 'error'].includes(parsePeerAnswer(body, compat).kind),
      ),
    );
  });
});
