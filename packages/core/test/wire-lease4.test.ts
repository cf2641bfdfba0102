import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeaCompat } from '../src/config/types.js';
import { answerList, serializeKea } from '../src/wire/envelope.js';
import {
  LEASE4_ADDED_TEXT,
  LEASE4_DELETED_TEXT,
  LEASE4_NOT_FOUND_TEXT,
  LEASE4_UPDATED_TEXT,
  type Lease4Record,
  buildLease4Del,
  buildLease4GetAll,
  buildLease4GetAllAnswer,
  buildLease4GetPage,
  buildLease4PageAnswer,
  buildLease4Update,
  lease4AddedText,
  lease4ToElement,
  parseLease4DelArgs,
  parseLease4Element,
  parseLease4GetPageAnswer,
  parseLease4GetPageArgs,
  parseLease4Wire,
} from '../src/wire/lease4.js';
import { KEA_WIRE_DIR, fixtureJson, fixturePaths, fixtureText } from './wire-fixtures.js';

/** The lease of the captured lease4-update: cltt 1795306290 + 3600 s = expire 1795309890. */
const capturedLease: Lease4Record = {
  address: '198.18.1.0',
  hwAddress: '00:0c:01:02:03:04',
  clientId: '01:00:0c:01:02:03:04',
  validLifetimeS: 3600,
  clttS: 1795306290,
  subnetId: 1,
  fqdnFwd: false,
  fqdnRev: false,
  hostname: '',
  state: 0,
};

interface TranscriptEntry {
  readonly command: string;
  readonly request: { command: string; service: string[]; arguments?: Record<string, unknown> };
  readonly response: unknown;
}

/** Every exchange of every scenario, as the capture tool parsed it (not byte-exact, but complete). */
const transcript: TranscriptEntry[] = fixturePaths('transcript.jsonl').flatMap((path) =>
  readFileSync(join(KEA_WIRE_DIR, path), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as TranscriptEntry),
);
const sentLeaseCommands = transcript.filter((entry) => entry.command === 'lease4-update' || entry.command === 'lease4-del');
const pageAnswers = transcript.filter((entry) => entry.command === 'lease4-get-page');

const COMPATS: readonly KeaCompat[] = ['2.2', 'head'];

const leaseArbitrary = (maxState: 2 | 3, withPool: boolean): fc.Arbitrary<Lease4Record> => {
  const octets = (min: number, max: number) =>
    fc
      .array(fc.integer({ min: 0, max: 255 }), { minLength: min, maxLength: max })
      .map((bytes) => bytes.map((byte) => byte.toString(16).padStart(2, '0')).join(':'));
  const required = {
    address: fc.ipV4(),
    hwAddress: octets(0, 20),
    validLifetimeS: fc.integer({ min: 0, max: 0xffff_ffff }),
    clttS: fc.integer({ min: 1, max: 4_000_000_000 }),
    subnetId: fc.integer({ min: 1, max: 0xffff_ffff }),
    fqdnFwd: fc.boolean(),
    fqdnRev: fc.boolean(),
    hostname: fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,30}$/),
    state: fc.integer({ min: 0, max: maxState }) as fc.Arbitrary<Lease4Record['state']>,
  };
  const optional = {
    clientId: octets(2, 128),
    userContext: fc.dictionary(fc.string(), fc.jsonValue()),
    ...(withPool ? { poolId: fc.integer({ min: 1, max: 0xffff_ffff }) } : {}),
  };
  return fc
    .record({ ...required, ...optional }, { requiredKeys: Object.keys(required) as Array<keyof typeof required> })
    .map((lease) => lease as Lease4Record);
};

describe('lease4-update and lease4-del as HA sends them', () => {
  it('LU-17 lease4-update carries expire = cltt + valid-lft, no cltt, force-create true, one service', () => {
    const built = buildLease4Update(capturedLease, { compat: '2.2' });
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.value.service).toEqual(['dhcp4']);
    expect(built.value.arguments).toMatchObject({ expire: 1795309890, 'force-create': true });
    expect(built.value.arguments).not.toHaveProperty('cltt');
    expect(built.value).toEqual(fixtureJson('lease4-update.request.json'));
    expect(serializeKea(built.value)).toBe(fixtureText('lease4-update.request.json'));
  });

  it('LU-17 lease4-del is the same lease map without force-create', () => {
    const released: Lease4Record = {
      ...capturedLease,
      address: '198.18.1.1',
      hwAddress: '00:0c:01:02:03:05',
      clientId: '01:00:0c:01:02:03:05',
    };
    const built = buildLease4Del(released, { compat: '2.2' });
    expect(built.ok && built.value.arguments).not.toHaveProperty('force-create');
    expect(built.ok && serializeKea(built.value)).toBe(fixtureText('lease4-del.request.json'));
  });

  it.each(fixturePaths('.request.json').filter((path) => /peer-lease4-(update|del)/.test(path)))(
    'LU-17 rebuilds the captured %s byte for byte from the lease it carries',
    (path) => {
      const captured = fixtureJson(path) as { command: string; arguments: unknown };
      const received = parseLease4Wire(captured.arguments, { compat: '2.2' });
      expect(received.ok).toBe(true);
      if (!received.ok) return;
      const build = captured.command === 'lease4-update' ? buildLease4Update : buildLease4Del;
      const rebuilt = build(received.value.lease, { compat: '2.2' });
      expect(rebuilt.ok && serializeKea(rebuilt.value)).toBe(fixtureText(path));
    },
  );

  it('covers every lease update of the captures (guard against an empty transcript)', () => {
    expect(sentLeaseCommands.length).toBeGreaterThan(250);
  });

  it('LU-17 rebuilds every lease4-update and lease4-del of the transcripts from the lease it carries', () => {
    for (const entry of sentLeaseCommands) {
      const received = parseLease4Wire(entry.request.arguments, { compat: '2.2' });
      expect(received.ok).toBe(true);
      if (!received.ok) continue;
      expect(received.value.forceCreate).toBe(entry.command === 'lease4-update');
      const build = entry.command === 'lease4-update' ? buildLease4Update : buildLease4Del;
      const rebuilt = build(received.value.lease, { compat: '2.2' });
      expect(rebuilt).toEqual({ ok: true, value: entry.request });
    }
  });

  it('HEAD adds origin ha-partner and a non-zero pool-id; Kea 2.2 compatibility never does', () => {
    const pooled: Lease4Record = { ...capturedLease, poolId: 7, userContext: { note: 'x' } };
    const head = buildLease4Update(pooled, { compat: 'head' });
    const old = buildLease4Update(pooled, { compat: '2.2' });
    expect(head.ok && head.value.arguments).toMatchObject({ origin: 'ha-partner', 'pool-id': 7, 'user-context': { note: 'x' } });
    expect(old.ok && old.value.arguments).not.toHaveProperty('origin');
    expect(old.ok && old.value.arguments).not.toHaveProperty('pool-id');
    const del = buildLease4Del(pooled, { compat: 'head' });
    expect(del.ok && del.value.arguments).toMatchObject({ origin: 'ha-partner' });
    expect(del.ok && del.value.arguments).not.toHaveProperty('force-create');
  });

  it('leaves out client-id when the lease has none', () => {
    const { clientId: _clientId, ...withoutClient } = capturedLease;
    const built = buildLease4Update(withoutClient, { compat: '2.2' });
    expect(built.ok && built.value.arguments).not.toHaveProperty('client-id');
  });

  it('refuses to send a released lease (state 3) in Kea 2.2 compatibility; HEAD sends it as an update', () => {
    const released: Lease4Record = { ...capturedLease, state: 3 };
    const refused = buildLease4Update(released, { compat: '2.2' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.reason).toContain('198.18.1.0 is in state 3');
    expect(buildLease4Del(released, { compat: '2.2' }).ok).toBe(false);
    const head = buildLease4Update(released, { compat: 'head' });
    expect(head.ok && head.value.arguments).toMatchObject({ state: 3 });
  });

  it('the answer texts match the captured ones', () => {
    expect(serializeKea(answerList({ result: 0, text: LEASE4_ADDED_TEXT }))).toBe(fixtureText('lease4-update.response.json'));
    expect(serializeKea(answerList({ result: 0, text: LEASE4_DELETED_TEXT }))).toBe(fixtureText('lease4-del.response.json'));
    const updated = transcript.find((entry) => JSON.stringify(entry.response).includes(LEASE4_UPDATED_TEXT));
    expect(updated?.command).toBe('lease4-update');
    expect(LEASE4_NOT_FOUND_TEXT).toBe('IPv4 lease not found.');
    expect(lease4AddedText('192.0.2.1', 1)).toBe('Lease for address 192.0.2.1, subnet-id 1 added.');
  });
});

describe('lease4-get-page and lease4-get-all requests', () => {
  it('CMD-16 first sync page is byte-equal to the captured one (from start, limit 10000)', () => {
    const built = buildLease4GetPage('start', 10000);
    expect(built.ok && serializeKea(built.value)).toBe(fixtureText('lease4-get-page.sync.request.json'));
  });

  it('CMD-16 a next page starts after the last address of the previous page', () => {
    expect(buildLease4GetPage('198.18.1.4', 3)).toEqual({ ok: true, value: fixtureJson('lease4-get-page.next.request.json') });
  });

  it('CMD-16 a zero limit is refused locally', () => {
    expect(buildLease4GetPage('start', 0)).toEqual({
      ok: false,
      reason: 'limit value for lease4-get-page command must not be 0',
    });
  });

  it.each([
    ['start', -1],
    ['start', 1.5],
    ['start', 2 ** 32],
    ['2001:db8::1', 3],
    ['198.18.1.300', 3],
  ])('refuses from %j with limit %j', (from, limit) => {
    expect(buildLease4GetPage(from, limit).ok).toBe(false);
  });

  it('lease4-get-all is the bare command', () => {
    expect(buildLease4GetAll()).toEqual(fixtureJson('lease4-get-all.request.json'));
  });

  it.each(fixturePaths('.request.json').filter((path) => path.includes('lease4-get-page')))(
    'the receiver accepts the arguments of the captured %s',
    (path) => {
      const captured = fixtureJson(path) as { arguments: { from: string; limit: number } };
      expect(parseLease4GetPageArgs(captured.arguments)).toEqual({ ok: true, value: captured.arguments });
    },
  );

  it.each([
    [undefined, 'no parameters specified for the lease4-get-page command'],
    [[], 'arguments in the lease4-get-page command are not a map'],
    [{ limit: 3 }, "'from' parameter not specified"],
    [{ from: 3, limit: 3 }, "'from' parameter must be a string"],
    [{ from: 'begin', limit: 3 }, "'from' parameter value is neither 'start' keyword nor a valid IPv4 address"],
    [{ from: '2001:db8::1', limit: 3 }, "'from' parameter value 2001:db8::1 is not an IPv4 address"],
    [{ from: 'start' }, "'limit' parameter not specified"],
    [{ from: 'start', limit: '3' }, "'limit' parameter must be a number"],
    [{ from: 'start', limit: 0 }, 'page size of retrieved leases must not be 0'],
    [{ from: 'start', limit: 2 ** 32 }, 'page size of retrieved leases must not be greater than 4294967295'],
  ])('the receiver refuses page arguments %j: %s', (args, reason) => {
    expect(parseLease4GetPageArgs(args)).toEqual({ ok: false, reason });
  });
});

describe('lease pages and lease lists as answers', () => {
  const pageFixtures = fixturePaths('.response.json').filter((path) => path.includes('lease4-get-page'));
  const allFixtures = fixturePaths('.response.json').filter((path) => path.includes('lease4-get-all'));

  it('covers the captured page answers (guard against an empty fixture set)', () => {
    expect(pageFixtures.length).toBeGreaterThanOrEqual(15);
    expect(allFixtures.length).toBeGreaterThanOrEqual(5);
  });

  it.each(pageFixtures)('SY-03 reads every lease of %s and rebuilds the answer byte for byte', (path) => {
    const page = parseLease4GetPageAnswer(fixtureJson(path));
    expect(page.ok).toBe(true);
    if (!page.ok) return;
    const leases = page.value.entries.map((entry) => {
      if (!entry.ok) throw new Error(`${path}: ${entry.reason}`);
      return entry.value;
    });
    expect(page.value.result).toBe(leases.length > 0 ? 0 : 3);
    expect(serializeKea(answerList(buildLease4PageAnswer(leases, '2.2')))).toBe(fixtureText(path));
  });

  it.each(allFixtures)('rebuilds the captured lease4-get-all answer %s byte for byte', (path) => {
    const body = fixtureJson(path) as Array<{ arguments: { leases: unknown[] } }>;
    const leases = body[0]!.arguments.leases.map((element) => {
      const lease = parseLease4Element(element, '2.2');
      if (!lease.ok) throw new Error(lease.reason);
      return lease.value;
    });
    expect(serializeKea(answerList(buildLease4GetAllAnswer(leases, '2.2')))).toBe(fixtureText(path));
  });

  it('an empty database answers result 3 with count 0 and an empty list', () => {
    expect(serializeKea(answerList(buildLease4PageAnswer([], '2.2')))).toBe(
      fixtureText('lease4-get-page.sync-empty.response.json'),
    );
  });

  it('reads every page the transcripts carried', () => {
    expect(pageAnswers.length).toBeGreaterThan(20);
    for (const entry of pageAnswers) {
      const page = parseLease4GetPageAnswer(entry.response);
      expect(page.ok && page.value.entries.every((lease) => lease.ok)).toBe(true);
    }
  });

  const validElement = lease4ToElement(capturedLease, '2.2');
  const pageWith = (args: unknown, result = 0) => [{ result, text: 'page', arguments: args }];

  it.each([
    // Kea quotes the peer's text only when the answer carries no arguments.
    ['result 1 and arguments', pageWith({ leases: [] }, 1), 'error code 1'],
    ['result 1', [{ result: 1, text: 'no lease backend' }], 'no lease backend, error code 1'],
    ['a map body', { result: 401, text: 'Unauthorized' }, 'Unauthorized, error code 1'],
    ['arguments that are not a map', pageWith([validElement]), 'arguments in the received response must be a map'],
    ['no arguments', [{ result: 0, text: 'page' }], 'arguments in the received response must be a map'],
    [
      'leases missing',
      pageWith({ count: 1 }),
      'server response does not contain leases argument or this argument is not a list',
    ],
    [
      'leases not a list',
      pageWith({ leases: validElement, count: 1 }),
      'server response does not contain leases argument or this argument is not a list',
    ],
  ])('SY-03 a page answer with %s fails the sync', (_case, body, reason) => {
    expect(parseLease4GetPageAnswer(body)).toEqual({ ok: false, reason });
  });

  it('SY-03 an unparsable lease is reported in place and does not fail the page', () => {
    const page = parseLease4GetPageAnswer(pageWith({ leases: [validElement, { ...validElement, cltt: 'soon' }], count: 2 }));
    expect(page).toEqual({
      ok: true,
      value: {
        result: 0,
        entries: [
          { ok: true, value: capturedLease },
          { ok: false, reason: 'cltt is not present in the parsed lease or it is not a number' },
        ],
      },
    });
  });

  it('never throws on arbitrary JSON as a body or as the page arguments (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) =>
        [parseLease4GetPageAnswer(value), parseLease4GetPageAnswer(pageWith(value), 'head')].every(
          (outcome) => typeof outcome.ok === 'boolean',
        ),
      ),
    );
  });
});

describe('receiving a lease command (lease_cmds checks)', () => {
  const args = (overrides: Record<string, unknown>): Record<string, unknown> => ({
    'ip-address': '198.18.1.0',
    'hw-address': '00:0c:01:02:03:04',
    'subnet-id': 1,
    'valid-lft': 3600,
    expire: 1795309890,
    ...overrides,
  });

  it('reads the lease with lease_cmds defaults for absent optional fields', () => {
    expect(parseLease4Wire(args({}), { compat: '2.2' })).toEqual({
      ok: true,
      value: {
        lease: {
          address: '198.18.1.0',
          hwAddress: '00:0c:01:02:03:04',
          validLifetimeS: 3600,
          clttS: 1795306290,
          subnetId: 1,
          fqdnFwd: false,
          fqdnRev: false,
          hostname: '',
          state: 0,
        },
        forceCreate: false,
      },
    });
  });

  it.each([
    [undefined, 'lease information missing'],
    [[1], 'lease information is not a map'],
    [args({ 'ip-address': undefined }), "missing parameter 'ip-address'"],
    [args({ 'ip-address': 7 }), "invalid type specified for parameter 'ip-address'"],
    [args({ 'ip-address': '2001:db8::1' }), 'Non-IPv4 address specified: 2001:db8::1'],
    [args({ 'ip-address': '198.18.1' }), "Failed to convert '198.18.1' to address"],
    [args({ 'ip-address': '198.18.01.1' }), "Failed to convert '198.18.01.1' to address"],
    [args({ 'hw-address': undefined }), "missing parameter 'hw-address'"],
    [args({ 'hw-address': '00::0c' }), "invalid hardware address '00::0c': expected hex octets separated by single colons"],
    [args({ 'hw-address': '1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16:17:18:19:20:21' }), expect.stringContaining('longer than 20 octets')],
    [args({ 'subnet-id': undefined }), "missing parameter 'subnet-id'"],
    [args({ 'subnet-id': -1 }), "The 'subnet-id' value (-1) is not within expected range: (0 - 4294967295)"],
    [args({ 'subnet-id': 0 }), expect.stringContaining('subnet-id must be given and not 0')],
    [args({ 'client-id': 5 }), "invalid type specified for parameter 'client-id'"],
    [args({ 'client-id': '01' }), expect.stringContaining('must be 2 to 128 octets long')],
    [args({ 'client-id': 'xyz' }), "invalid client identifier 'xyz': not a hex string"],
    [args({ 'valid-lft': undefined }), "missing parameter 'valid-lft'"],
    [args({ 'valid-lft': 2 ** 32 }), "The 'valid-lft' value (4294967296) is not within expected range: (0 - 4294967295)"],
    [args({ expire: '1795309890' }), "invalid type specified for parameter 'expire'"],
    [args({ expire: 0 }), 'expiration time must be positive for address 198.18.1.0'],
    [args({ expire: 3599 }), 'expiration time must be greater than valid lifetime for address 198.18.1.0'],
    [args({ expire: undefined }), "missing parameter 'expire' for address 198.18.1.0"],
    [args({ expire: undefined, cltt: 0 }), 'cltt must be positive for address 198.18.1.0'],
    [args({ 'fqdn-fwd': 'yes' }), "invalid type specified for parameter 'fqdn-fwd'"],
    [args({ 'fqdn-fwd': true }), 'No hostname specified and either forward or reverse fqdn was set to true.'],
    [args({ 'fqdn-rev': true, hostname: '' }), 'No hostname specified and either forward or reverse fqdn was set to true.'],
    [args({ hostname: 1 }), "invalid type specified for parameter 'hostname'"],
    [args({ state: 256 }), "The 'state' value (256) is not within expected range: (0 - 255)"],
    [
      args({ state: 3 }),
      'Invalid state value: 3, supported values are: 0 (default), 1 (declined) and 2 (expired-reclaimed)',
    ],
    [args({ 'user-context': [1] }), "Invalid user context '[ 1 ]' is not a JSON map."],
    [
      args({ 'user-context': { comment: 'a' }, comment: 'b' }),
      'Duplicated comment entry \'"b"\' in user context \'{ "comment": "a" }\'',
    ],
    [args({ 'force-create': 1 }), "invalid type specified for parameter 'force-create'"],
  ])('refuses %j with a Kea-like text', (obj, reason) => {
    expect(parseLease4Wire(obj, { compat: '2.2' })).toEqual({ ok: false, reason });
  });

  it('accepts state 3 (released) only in HEAD compatibility, and never 4', () => {
    expect(parseLease4Wire(args({ state: 3 }), { compat: 'head' })).toMatchObject({ ok: true, value: { lease: { state: 3 } } });
    expect(parseLease4Wire(args({ state: 4 }), { compat: 'head' })).toEqual({
      ok: false,
      reason:
        'Invalid state value: 4, supported values are: 0 (default), 1 (declined), 2 (expired-reclaimed) and 3 (released)',
    });
  });

  it('folds a top-level comment into the user context', () => {
    expect(parseLease4Wire(args({ 'user-context': { a: 1 }, comment: 'rack 4' }), { compat: '2.2' })).toMatchObject({
      ok: true,
      value: { lease: { userContext: { a: 1, comment: 'rack 4' } } },
    });
  });

  it('normalises identifiers to Kea canonical text', () => {
    const parsed = parseLease4Wire(args({ 'hw-address': 'A:B:C:D:E:F', 'client-id': '0x10A0B' }), { compat: '2.2' });
    expect(parsed).toMatchObject({ ok: true, value: { lease: { hwAddress: '0a:0b:0c:0d:0e:0f', clientId: '01:0a:0b' } } });
    expect(parseLease4Wire(args({ 'client-id': '01 0a 0b' }), { compat: '2.2' })).toMatchObject({
      ok: true,
      value: { lease: { clientId: '01:0a:0b' } },
    });
  });

  it('accepts an empty hw-address, as a declined lease carries', () => {
    expect(parseLease4Wire(args({ 'hw-address': '', state: 1 }), { compat: '2.2' })).toMatchObject({
      ok: true,
      value: { lease: { hwAddress: '', state: 1 } },
    });
  });

  it('takes cltt directly, or the receiver clock for an admin lease4-add without either', () => {
    expect(parseLease4Wire(args({ expire: undefined, cltt: 1000 }), { compat: '2.2' })).toMatchObject({
      ok: true,
      value: { lease: { clttS: 1000 } },
    });
    expect(parseLease4Wire(args({ expire: undefined }), { compat: '2.2', nowS: 1234 })).toMatchObject({
      ok: true,
      value: { lease: { clttS: 1234 } },
    });
  });

  it('reads pool-id and origin from a HEAD sender; Kea 2.2 compatibility ignores pool-id', () => {
    const obj = args({ 'pool-id': 5, origin: 'ha-partner', 'force-create': true });
    expect(parseLease4Wire(obj, { compat: 'head' })).toMatchObject({
      ok: true,
      value: { lease: { poolId: 5 }, forceCreate: true, origin: 'ha-partner' },
    });
    const old = parseLease4Wire(obj, { compat: '2.2' });
    expect(old.ok && old.value.lease).not.toHaveProperty('poolId');
  });

  it('round-trips a lease through lease4-update in Kea 2.2 compatibility (property)', () => {
    fc.assert(
      fc.property(leaseArbitrary(2, false), (lease) => {
        fc.pre(lease.hostname !== '' || !(lease.fqdnFwd || lease.fqdnRev));
        const built = buildLease4Update(lease, { compat: '2.2' });
        if (!built.ok) throw new Error(built.reason);
        expect(parseLease4Wire(built.value.arguments, { compat: '2.2' })).toEqual({
          ok: true,
          value: { lease, forceCreate: true },
        });
      }),
    );
  });

  it('round-trips a lease through lease4-del in HEAD compatibility (property)', () => {
    fc.assert(
      fc.property(leaseArbitrary(3, true), (lease) => {
        fc.pre(lease.hostname !== '' || !(lease.fqdnFwd || lease.fqdnRev));
        const built = buildLease4Del(lease, { compat: 'head' });
        if (!built.ok) throw new Error(built.reason);
        expect(parseLease4Wire(built.value.arguments, { compat: 'head' })).toEqual({
          ok: true,
          value: { lease, forceCreate: false, origin: 'ha-partner' },
        });
      }),
    );
  });

  it('never throws on arbitrary JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...COMPATS), (value, compat) =>
        [
          parseLease4Wire(value, { compat }),
          parseLease4Wire({ ...args({}), ...(typeof value === 'object' && value !== null ? value : { state: value }) }, { compat }),
          parseLease4DelArgs(value),
          parseLease4GetPageArgs(value),
        ].every((outcome) => typeof outcome.ok === 'boolean'),
      ),
    );
  });
});

describe('reading a stored lease (lease page entry)', () => {
  const element = lease4ToElement(capturedLease, '2.2');

  it('reads the stored form, lowercasing the hostname as Kea does', () => {
    expect(parseLease4Element({ ...element, hostname: 'Host.Example.ORG' }, '2.2')).toEqual({
      ok: true,
      value: { ...capturedLease, hostname: 'host.example.org' },
    });
  });

  it.each([
    [[], 'parsed lease data is not a JSON map'],
    [{ ...element, 'ip-address': undefined }, 'ip-address not present in the parsed lease or it is not a string'],
    [{ ...element, 'ip-address': 'bogus' }, 'invalid IP address bogus in the parsed lease'],
    [{ ...element, 'ip-address': '2001:db8::1' }, 'address 2001:db8::1 is not an IPv4 address'],
    [{ ...element, 'subnet-id': '1' }, 'subnet-id not present in the parsed lease or it is not a number'],
    [{ ...element, 'subnet-id': 0 }, 'subnet-id 0 is not a positive integer'],
    [{ ...element, 'subnet-id': 2 ** 32 }, 'subnet-id 4294967296 is not a 32 bit unsigned integer'],
    [{ ...element, 'hw-address': undefined }, 'hw-address not present in the parsed lease'],
    [{ ...element, 'hw-address': 5 }, 'hw-address is not a string in the parsed lease'],
    [{ ...element, 'hw-address': 'zz' }, 'invalid hardware address zz in the parsed lease'],
    [{ ...element, cltt: undefined }, 'cltt is not present in the parsed lease or it is not a number'],
    [{ ...element, cltt: 0 }, 'cltt 0 is not a positive integer in the parsed lease'],
    [{ ...element, 'valid-lft': -1 }, 'valid-lft -1 is negative in the parsed lease'],
    [{ ...element, 'valid-lft': undefined }, 'valid-lft is not present in the parsed lease or it is not a number'],
    [{ ...element, 'fqdn-fwd': 0 }, 'fqdn-fwd is not present in the parsed lease or it is not a boolean value'],
    [{ ...element, 'fqdn-rev': undefined }, 'fqdn-rev is not present in the parsed lease or it is not a boolean value'],
    [{ ...element, hostname: undefined }, 'hostname is not present in the parsed lease or it is not a string value'],
    [{ ...element, state: undefined }, 'state is not present in the parsed lease or it is not a number'],
    [{ ...element, state: 3 }, 'state 3 must be in range [0..2]'],
    [{ ...element, 'user-context': 'x' }, 'user context is not a map'],
    [{ ...element, 'client-id': 1 }, 'client identifier is not a string in the parsed lease'],
    [{ ...element, 'client-id': 'q' }, 'invalid client identifier q in the parsed lease'],
  ])('refuses %j', (obj, reason) => {
    expect(parseLease4Element(obj, '2.2')).toEqual({ ok: false, reason });
  });

  it('accepts state 3 and reads pool-id in HEAD compatibility', () => {
    expect(parseLease4Element({ ...element, state: 3, 'pool-id': 9 }, 'head')).toEqual({
      ok: true,
      value: { ...capturedLease, state: 3, poolId: 9 },
    });
    expect(parseLease4Element({ ...element, 'pool-id': 0 }, 'head')).toEqual({
      ok: false,
      reason: 'pool-id 0 is not a positive integer',
    });
  });

  it('round-trips a lease through its stored form (property)', () => {
    fc.assert(
      fc.property(leaseArbitrary(3, true), fc.constantFrom(...COMPATS), (lease, compat) => {
        fc.pre(compat === 'head' || lease.state <= 2);
        const { poolId: _poolId, ...withoutPool } = lease;
        const expected = compat === 'head' ? lease : withoutPool;
        expect(parseLease4Element(lease4ToElement(lease, compat), compat)).toEqual({ ok: true, value: expected });
      }),
    );
  });

  it('never throws on arbitrary JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...COMPATS), (value, compat) =>
        [parseLease4Element(value, compat), parseLease4Element({ ...element, state: value }, compat)].every(
          (outcome) => typeof outcome.ok === 'boolean',
        ),
      ),
    );
  });
});

describe('receiving lease4-del', () => {
  it.each(fixturePaths('.request.json').filter((path) => path.includes('lease4-del')))(
    'takes the address of the captured %s',
    (path) => {
      const captured = fixtureJson(path) as { arguments: { 'ip-address': string } };
      expect(parseLease4DelArgs(captured.arguments)).toEqual({
        ok: true,
        value: { address: captured.arguments['ip-address'] },
      });
    },
  );

  it.each([
    [undefined, 'Parameters missing or are not a map.'],
    [{ 'ip-address': 1 }, "'ip-address' is not a string."],
    [{ 'ip-address': '2001:db8::1' }, 'Invalid IPv4 address specified: 2001:db8::1'],
    [{ 'subnet-id': 1, 'identifier-type': 'hw-address', identifier: '00:01' }, expect.stringContaining("'ip-address'")],
  ])('refuses %j', (args, reason) => {
    expect(parseLease4DelArgs(args)).toEqual({ ok: false, reason });
  });
});
