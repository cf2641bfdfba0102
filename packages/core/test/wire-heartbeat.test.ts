import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STATE_LABELS } from '../src/config/types.js';
import { answerList, serializeKea } from '../src/wire/envelope.js';
import {
  HEARTBEAT_ANSWER_TEXT,
  buildHeartbeatAnswer,
  buildHeartbeatRequest,
  parseHeartbeatAnswer,
} from '../src/wire/heartbeat.js';
import { fixtureJson, fixturePaths, fixtureText } from './wire-fixtures.js';

const heartbeatAnswers = fixturePaths('.response.json').filter((path) => path.includes('ha-heartbeat'));
const peerHeartbeatRequests = fixturePaths('.request.json').filter(
  (path) => path.includes('ha-heartbeat') && fixtureText(path).startsWith('{ '),
);

/** A well-formed answer whose arguments the individual cases then spoil. */
const goodArguments = {
  'date-time': 'Sun, 22 Nov 2026 00:11:30 GMT',
  scopes: ['server1'],
  state: 'load-balancing',
  'unsent-update-count': 0,
};
const withArguments = (args: unknown) => [{ result: 0, text: HEARTBEAT_ANSWER_TEXT, arguments: args }];
const capturedS = Date.UTC(2026, 10, 22, 0, 11, 30) / 1000;

describe('ha-heartbeat request', () => {
  it('covers the peer heartbeats of every scenario (guard against an empty fixture set)', () => {
    expect(peerHeartbeatRequests.length).toBeGreaterThanOrEqual(5);
  });

  it.each(peerHeartbeatRequests)('CMD-16 Kea 2.2 form is byte-equal to the captured %s', (path) => {
    const ours = buildHeartbeatRequest({ service: 'dhcp4', compat: '2.2', serverName: 'server1' });
    expect(ours).toEqual(fixtureJson(path));
    expect(serializeKea(ours)).toBe(fixtureText(path));
  });

  it('CMD-16 HEAD form names the sender in server-name', () => {
    expect(serializeKea(buildHeartbeatRequest({ service: 'dhcp4', compat: 'head', serverName: 'server1' }))).toBe(
      '{ "arguments": { "server-name": "server1" }, "command": "ha-heartbeat", "service": [ "dhcp4" ] }',
    );
  });
});

describe('ha-heartbeat answer', () => {
  it('HB-01 answer of a waiting server with 6 unsent updates', () => {
    const ours = buildHeartbeatAnswer({ state: 'waiting', nowMs: capturedS * 1000 + 250, scopes: [], unsentUpdateCount: 6 });
    expect(ours).toEqual({
      result: 0,
      text: 'HA peer status returned.',
      arguments: { state: 'waiting', 'date-time': 'Sun, 22 Nov 2026 00:11:30 GMT', scopes: [], 'unsent-update-count': 6 },
    });
  });

  it('reports the served scopes sorted and without duplicates', () => {
    const ours = buildHeartbeatAnswer({
      state: 'partner-down',
      nowMs: 0,
      scopes: ['server2', 'server1', 'server2'],
      unsentUpdateCount: 0,
    });
    expect((ours.arguments as { scopes: string[] }).scopes).toEqual(['server1', 'server2']);
  });

  it('is byte-equal to the captured standby answer', () => {
    const ours = buildHeartbeatAnswer({ state: 'hot-standby', nowMs: capturedS * 1000, scopes: [], unsentUpdateCount: 0 });
    expect(serializeKea(answerList(ours))).toBe(fixtureText('ha-heartbeat.response.json'));
  });

  it('is byte-equal to the captured partner-down answer with 303 unsent updates', () => {
    const ours = buildHeartbeatAnswer({
      state: 'partner-down',
      nowMs: Date.UTC(2026, 10, 22, 0, 55, 21, 700),
      scopes: ['server1'],
      unsentUpdateCount: 303,
    });
    expect(serializeKea(answerList(ours))).toBe(fixtureText('ha-heartbeat.partner-down.response.json'));
  });

  it('covers the captured heartbeat answers (guard against an empty fixture set)', () => {
    expect(heartbeatAnswers.length).toBeGreaterThanOrEqual(20);
  });

  it.each(heartbeatAnswers)('parses %s and rebuilds it byte for byte', (path) => {
    const outcome = parseHeartbeatAnswer(fixtureJson(path));
    expect(outcome.ok).toBe(true);
    if (!outcome.ok || outcome.state === 'unavailable') throw new Error(`unexpected outcome for ${path}`);
    expect(outcome.scopes).toBeDefined();
    expect(outcome.unsentUpdateCount).toBeDefined();
    const rebuilt = buildHeartbeatAnswer({
      state: outcome.state,
      nowMs: outcome.dateTimeS * 1000,
      scopes: outcome.scopes ?? [],
      unsentUpdateCount: outcome.unsentUpdateCount ?? 0,
    });
    expect(serializeKea(answerList(rebuilt))).toBe(fixtureText(path));
  });
});

describe('processing a heartbeat answer', () => {
  it('reads the captured partner-down answer', () => {
    expect(parseHeartbeatAnswer(fixtureJson('ha-heartbeat.partner-down.response.json'))).toEqual({
      ok: true,
      state: 'partner-down',
      dateTimeS: Date.UTC(2026, 10, 22, 0, 55, 21) / 1000,
      scopes: ['server1'],
      unsentUpdateCount: 303,
    });
  });

  it.each([
    ['a JSON map body (HTTP refusal)', { result: 403, text: 'Forbidden' }, 'Forbidden, error code 1'],
    ['result 1', [{ result: 1, text: 'boom' }], 'boom, error code 1'],
    ['an empty list', [], 'list of responses must not be empty'],
    ['no arguments', [{ result: 0, text: HEARTBEAT_ANSWER_TEXT }], 'returned arguments in the response must be a map'],
    ['arguments as a list', withArguments([goodArguments]), 'returned arguments in the response must be a map'],
    [
      'a missing state',
      withArguments({ ...goodArguments, state: undefined }),
      'server state not returned in response to a ha-heartbeat command or it is not a string',
    ],
    [
      'a state that is not a string',
      withArguments({ ...goodArguments, state: 15 }),
      'server state not returned in response to a ha-heartbeat command or it is not a string',
    ],
    ['a bad state label', withArguments({ ...goodArguments, state: 'HA_LOAD_BALANCING' }), 'unsupported HA partner state returned HA_LOAD_BALANCING'],
    [
      'a missing date-time',
      withArguments({ ...goodArguments, 'date-time': undefined }),
      'date-time not returned in response to a ha-heartbeat command or it is not a string',
    ],
    [
      'a date-time not in RFC 1123 form',
      withArguments({ ...goodArguments, 'date-time': '2026-11-22T00:11:30Z' }),
      "unable to parse RFC 1123 time value of '2026-11-22T00:11:30Z'",
    ],
    [
      'a non-integer unsent-update-count',
      withArguments({ ...goodArguments, 'unsent-update-count': '3' }),
      'unsent-update-count returned in the ha-heartbeat response is not an integer',
    ],
    [
      'a fractional unsent-update-count',
      withArguments({ ...goodArguments, 'unsent-update-count': 1.5 }),
      'unsent-update-count returned in the ha-heartbeat response is not an integer',
    ],
  ])('HB-05 %s is a heartbeat failure', (_case, body, reason) => {
    expect(parseHeartbeatAnswer(body)).toEqual({ ok: false, reason });
  });

  it('HB-05 uses the HEAD error format in HEAD compatibility', () => {
    expect(parseHeartbeatAnswer([{ result: 1, text: 'boom' }], 'head')).toEqual({ ok: false, reason: 'boom (error code 1)' });
  });

  it('HB-06 an answer without scopes and without unsent-update-count is a success', () => {
    const outcome = parseHeartbeatAnswer(withArguments({ state: 'ready', 'date-time': goodArguments['date-time'] }));
    expect(outcome).toEqual({ ok: true, state: 'ready', dateTimeS: capturedS });
  });

  it.each([
    ['not a list', 'server1'],
    ['a list with a non-string', ['server1', 2]],
  ])('HB-06 malformed scopes (%s) are ignored, not a failure', (_case, scopes) => {
    const outcome = parseHeartbeatAnswer(withArguments({ ...goodArguments, scopes }));
    expect(outcome).toEqual({ ok: true, state: 'load-balancing', dateTimeS: capturedS, unsentUpdateCount: 0 });
  });

  it('records partner scopes as a sorted set without empty names', () => {
    const outcome = parseHeartbeatAnswer(withArguments({ ...goodArguments, scopes: ['server2', '', 'server1', 'server2'] }));
    expect(outcome).toMatchObject({ ok: true, scopes: ['server1', 'server2'] });
  });

  it('accepts result 3 like result 0', () => {
    expect(parseHeartbeatAnswer([{ result: 3, arguments: goodArguments }])).toMatchObject({ ok: true });
  });

  it.each([...STATE_LABELS, 'unavailable'])('accepts the partner state %s', (state) => {
    expect(parseHeartbeatAnswer(withArguments({ ...goodArguments, state }))).toMatchObject({ ok: true, state });
  });

  it('never throws on arbitrary JSON, as a body or as the arguments (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const outcomes = [parseHeartbeatAnswer(value), parseHeartbeatAnswer(withArguments(value), 'head')];
        return outcomes.every((outcome) => typeof outcome.ok === 'boolean');
      }),
    );
  });

  it('accepts every answer it builds itself (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...STATE_LABELS),
        fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31) }),
        fc.array(fc.string({ minLength: 1 })),
        fc.nat(),
        (state, nowMs, scopes, unsentUpdateCount) => {
          const built = buildHeartbeatAnswer({ state, nowMs, scopes, unsentUpdateCount });
          expect(parseHeartbeatAnswer(answerList(built))).toEqual({
            ok: true,
            state,
            dateTimeS: Math.floor(nowMs / 1000),
            scopes: [...new Set(scopes)].sort(),
            unsentUpdateCount,
          });
        },
      ),
    );
  });
});
