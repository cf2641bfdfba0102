import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeaCompat } from '../src/config/types.js';
import {
  DHCP_ENABLED_TEXT,
  HA_SYNC_COMPLETE_NOTIFIED,
  type HaCommandName,
  buildDhcpDisable,
  buildDhcpEnable,
  buildHaContinue,
  buildHaReset,
  buildHaScopes,
  buildHaSync,
  buildMaintenanceCancel,
  buildMaintenanceNotify,
  buildMaintenanceStart,
  buildSyncCompleteNotify,
  dhcpDisabledText,
  invalidScopeNameText,
  maintenanceNotAllowedText,
  maintenanceStartRefusedText,
  parseDhcpDisableArgs,
  parseDhcpEnableArgs,
  parseHaScopesArgs,
  parseHaSyncArgs,
  parseMaintenanceNotifyArgs,
  parseRelationshipSelector,
  parseSyncCompleteNotifyArgs,
  serverNameUnknownText,
} from '../src/wire/commands.js';
import { answer, answerList, parsePeerAnswer, serializeKea } from '../src/wire/envelope.js';
import { fixtureJson, fixturePaths, fixtureText } from './wire-fixtures.js';

const COMPATS: readonly KeaCompat[] = ['2.2', 'head'];

describe('dhcp-disable and dhcp-enable as HA sends them', () => {
  it.each(fixturePaths('.request.json').filter((path) => path.includes('dhcp-disable')))(
    'CMD-15 dhcp-disable with origin ha-partner and max-period 60 is byte-equal to the captured %s',
    (path) => {
      const ours = buildDhcpDisable({ service: 'dhcp4', compat: '2.2', maxPeriodS: 60 });
      expect(ours).toEqual(fixtureJson(path));
      expect(serializeKea(ours)).toBe(fixtureText(path));
    },
  );

  it('CMD-15 max-period is left out when 0 (ha-sync without max-period)', () => {
    expect(serializeKea(buildDhcpDisable({ service: 'dhcp4', compat: '2.2', maxPeriodS: 0 }))).toBe(
      '{ "arguments": { "origin": "ha-partner" }, "command": "dhcp-disable", "service": [ "dhcp4" ] }',
    );
  });

  it('CMD-15 dhcp-enable carries origin ha-partner', () => {
    expect(serializeKea(buildDhcpEnable({ service: 'dhcp6', compat: '2.2' }))).toBe(
      '{ "arguments": { "origin": "ha-partner" }, "command": "dhcp-enable", "service": [ "dhcp6" ] }',
    );
  });

  it('CMD-15 HEAD adds origin-id 2000 + relationship index and keeps origin for old receivers', () => {
    expect(buildDhcpDisable({ service: 'dhcp4', compat: 'head', maxPeriodS: 60 }).arguments).toEqual({
      'max-period': 60,
      origin: 'ha-partner',
      'origin-id': 2000,
    });
    expect(buildDhcpEnable({ service: 'dhcp4', compat: 'head', originId: 2001 }).arguments).toEqual({
      origin: 'ha-partner',
      'origin-id': 2001,
    });
  });

  it('the success texts match the captured answer', () => {
    expect(serializeKea(answerList(answer(0, dhcpDisabledText('dhcp4', 60))))).toBe(
      fixtureText('dhcp-disable.response.json'),
    );
    expect(dhcpDisabledText('dhcp4')).toBe('DHCPv4 service disabled');
    expect(dhcpDisabledText('dhcp6', 0)).toBe('DHCPv6 service disabled');
    expect(DHCP_ENABLED_TEXT).toBe('DHCP service successfully enabled');
  });
});

describe('dhcp-disable and dhcp-enable as the daemon receives them (Kea 2.2 checks)', () => {
  it('accepts the captured dhcp-disable of a syncing peer', () => {
    const captured = fixtureJson('dhcp-disable.request.json') as { arguments: unknown };
    expect(parseDhcpDisableArgs(captured.arguments)).toEqual({ ok: true, value: { origin: 'ha-partner', maxPeriodS: 60 } });
  });

  it('defaults to the user origin and no period', () => {
    expect(parseDhcpDisableArgs(undefined)).toEqual({ ok: true, value: { origin: 'user' } });
    expect(parseDhcpDisableArgs({ origin: 'user' })).toEqual({ ok: true, value: { origin: 'user' } });
    expect(parseDhcpEnableArgs(undefined)).toEqual({ ok: true, value: { origin: 'user' } });
  });

  it("ignores unknown keys, but surfaces a HEAD sender's origin-id", () => {
    expect(parseDhcpDisableArgs({ origin: 'ha-partner', 'origin-id': 2000, colour: 'red' })).toEqual({
      ok: true,
      value: { origin: 'ha-partner', originId: 2000 },
    });
    expect(parseDhcpEnableArgs({ origin: 'ha-partner', 'origin-id': 'x' })).toEqual({
      ok: true,
      value: { origin: 'ha-partner' },
    });
  });

  it.each([
    [[], "arguments for the 'dhcp-disable' command must be a map"],
    [{ 'max-period': '60' }, "'max-period' argument must be a number"],
    [{ 'max-period': 0 }, "'max-period' must be positive integer"],
    [{ 'max-period': -5 }, "'max-period' must be positive integer"],
    [{ origin: 2000 }, "'origin' argument must be a string"],
    [{ origin: 'partner' }, "invalid value used for 'origin' parameter: partner"],
    [{ origin: '' }, "invalid value used for 'origin' parameter: (empty string)"],
    [{ 'max-period': 0, origin: 1 }, "'max-period' must be positive integer'origin' argument must be a string"],
  ])('refuses dhcp-disable arguments %j with %j', (args, reason) => {
    expect(parseDhcpDisableArgs(args)).toEqual({ ok: false, reason });
  });

  it.each([
    ['x', "arguments for the 'dhcp-enable' command must be a map"],
    [{ origin: 2000 }, "'origin' argument must be a string"],
    [{ origin: 'ha' }, "invalid value used for 'origin' parameter: ha"],
  ])('refuses dhcp-enable arguments %j with %j', (args, reason) => {
    expect(parseDhcpEnableArgs(args)).toEqual({ ok: false, reason });
  });
});

describe('ha-sync-complete-notify', () => {
  it.each(fixturePaths('.request.json').filter((path) => path.includes('ha-sync-complete-notify')))(
    'CMD-16 Kea 2.2 form carries no arguments, byte-equal to the captured %s',
    (path) => {
      const ours = buildSyncCompleteNotify({ service: 'dhcp4', compat: '2.2', serverName: 'server2' });
      expect(serializeKea(ours)).toBe(fixtureText(path));
    },
  );

  it('CMD-16 HEAD form names the sender and the lock, origin duplicated for 2.5.5–2.5.7 receivers', () => {
    expect(serializeKea(buildSyncCompleteNotify({ service: 'dhcp4', compat: 'head', serverName: 'server2' }))).toBe(
      '{ "arguments": { "origin": 2000, "origin-id": 2000, "server-name": "server2" }, ' +
        '"command": "ha-sync-complete-notify", "service": [ "dhcp4" ] }',
    );
  });

  it('the answer text matches the captured one', () => {
    expect(serializeKea(answerList(answer(0, HA_SYNC_COMPLETE_NOTIFIED)))).toBe(
      fixtureText('ha-sync-complete-notify.response.json'),
    );
  });

  it('a receiver in Kea 2.2 compatibility ignores the arguments', () => {
    expect(parseSyncCompleteNotifyArgs({ 'origin-id': 'x' }, '2.2')).toEqual({ ok: true, value: {} });
  });

  it.each([
    [undefined, { ok: true, value: {} }],
    [{ 'server-name': 'server1', 'origin-id': 2001, origin: 2005 }, { ok: true, value: { serverName: 'server1', originId: 2001 } }],
    [{ origin: 2003 }, { ok: true, value: { originId: 2003 } }],
    [{ 'origin-id': '2000' }, { ok: false, reason: "'origin-id' must be an integer in the 'ha-sync-complete-notify' command" }],
    [{ origin: 'ha-partner' }, { ok: false, reason: "'origin' must be an integer in the 'ha-sync-complete-notify' command" }],
    [{ 'server-name': 1 }, { ok: false, reason: "'server-name' must be a string in the 'ha-sync-complete-notify' command" }],
    [[1], { ok: false, reason: "arguments in the 'ha-sync-complete-notify' command are not a map" }],
  ])('CMD-20 a HEAD receiver reads %j as %j', (args, expected) => {
    expect(parseSyncCompleteNotifyArgs(args, 'head')).toEqual(expected);
  });
});

describe('ha-reset and ha-maintenance-notify as HA sends them', () => {
  it('CMD-16 ha-reset: no arguments in Kea 2.2, server-name in HEAD', () => {
    expect(serializeKea(buildHaReset({ service: 'dhcp4', compat: '2.2', serverName: 'server1' }))).toBe(
      '{ "command": "ha-reset", "service": [ "dhcp4" ] }',
    );
    expect(buildHaReset({ service: 'dhcp6', compat: 'head', serverName: 'server1' })).toEqual({
      command: 'ha-reset',
      service: ['dhcp6'],
      arguments: { 'server-name': 'server1' },
    });
  });

  it('CMD-16 ha-maintenance-notify: only cancel in Kea 2.2; sender and state in HEAD', () => {
    expect(
      serializeKea(buildMaintenanceNotify({ service: 'dhcp4', compat: '2.2', cancel: false, serverName: 'server1', state: 'waiting' })),
    ).toBe('{ "arguments": { "cancel": false }, "command": "ha-maintenance-notify", "service": [ "dhcp4" ] }');
    expect(
      buildMaintenanceNotify({ service: 'dhcp4', compat: 'head', cancel: true, serverName: 'server1', state: 'load-balancing' })
        .arguments,
    ).toEqual({ 'server-name': 'server1', cancel: true, state: 'load-balancing' });
  });

  it('admin commands are bare or carry only what is given', () => {
    expect(buildMaintenanceStart('dhcp4')).toEqual({ command: 'ha-maintenance-start', service: ['dhcp4'] });
    expect(buildMaintenanceCancel('dhcp4')).toEqual({ command: 'ha-maintenance-cancel', service: ['dhcp4'] });
    expect(buildHaContinue({ service: 'dhcp4' })).toEqual({ command: 'ha-continue', service: ['dhcp4'] });
    expect(buildHaContinue({ service: 'dhcp4', serverName: 'server1' }).arguments).toEqual({ 'server-name': 'server1' });
    expect(buildHaSync({ service: 'dhcp4', serverName: 'server2', maxPeriodS: 60 })).toEqual({
      command: 'ha-sync',
      service: ['dhcp4'],
      arguments: { 'server-name': 'server2', 'max-period': 60 },
    });
    expect(buildHaSync({ service: 'dhcp4', serverName: 'server2' }).arguments).toEqual({ 'server-name': 'server2' });
    expect(buildHaScopes({ service: 'dhcp4', scopes: ['server1', 'server2'] }).arguments).toEqual({
      scopes: ['server1', 'server2'],
    });
  });

  it('CMD-09 the refusal text quotes the formatted partner error', () => {
    const partner = parsePeerAnswer([{ result: 1001, text: maintenanceNotAllowedText('terminated') }]);
    expect(maintenanceStartRefusedText(partner.text)).toBe(
      'Unable to transition to the partner-in-maintenance state. The partner server responded with the following ' +
        'message to the ha-maintenance-notify command: Unable to transition the server from the terminated to ' +
        'in-maintenance state., error code 1001.',
    );
  });
});

describe('ha-maintenance-notify as a receiver reads it', () => {
  it.each(COMPATS)('CMD-03 cancel false from a Kea 2.2 sender (%s compatibility)', (compat) => {
    const expected = compat === '2.2' ? { cancel: false } : { cancel: false, partnerState: 'unavailable' };
    expect(parseMaintenanceNotifyArgs({ cancel: false }, compat)).toEqual({ ok: true, value: expected });
  });

  it('CMD-19 a HEAD receiver records the sender state, unavailable when unknown', () => {
    expect(parseMaintenanceNotifyArgs({ cancel: true, state: 'ready', 'server-name': 'server2' }, 'head')).toEqual({
      ok: true,
      value: { cancel: true, partnerState: 'ready', serverName: 'server2' },
    });
    expect(parseMaintenanceNotifyArgs({ cancel: true, state: 'dozing' }, 'head')).toEqual({
      ok: true,
      value: { cancel: true, partnerState: 'unavailable' },
    });
  });

  it.each([
    [undefined, "no arguments specified for the 'ha-maintenance-notify' command"],
    [[true], "arguments specified for the 'ha-maintenance-notify' command are not a map"],
    [{}, "arguments must not be empty for the 'ha-maintenance-notify' command"],
    [{ state: 'ready' }, "'cancel' is mandatory for the 'ha-maintenance-notify' command"],
    [{ cancel: 'false' }, "'cancel' must be a boolean in the 'ha-maintenance-notify' command"],
  ])('refuses %j in either compatibility', (args, reason) => {
    for (const compat of COMPATS) expect(parseMaintenanceNotifyArgs(args, compat)).toEqual({ ok: false, reason });
  });

  it('HEAD refuses a state that is not a string', () => {
    expect(parseMaintenanceNotifyArgs({ cancel: false, state: 14 }, 'head')).toEqual({
      ok: false,
      reason: "'state' must be a string in the 'ha-maintenance-notify' command",
    });
  });
});

describe('ha-scopes arguments', () => {
  it.each([[['server1', 'server2']], [['server2']], [[]], [['server1', 'unsupported', 'server3']]])(
    'CMD-01 takes the scope list %j as given (unknown names are the query filter’s to refuse)',
    (scopes) => {
      expect(parseHaScopesArgs({ scopes }, '2.2')).toEqual({ ok: true, value: { scopes } });
    },
  );

  it.each([
    [undefined, "arguments not found in the 'ha-scopes' command"],
    ['server1', "arguments in the 'ha-scopes' command are not a map"],
    [{}, "'scopes' is mandatory for the 'ha-scopes' command"],
    [{ scopes: 'server1' }, "'scopes' must be a list in the 'ha-scopes' command"],
    [{ scopes: ['server1', 1] }, "scope name must be a string in the 'scopes' argument"],
  ])('CMD-01 refuses %j with %j', (args, reason) => {
    expect(parseHaScopesArgs(args, '2.2')).toEqual({ ok: false, reason });
  });

  it('CMD-01 the unknown-name text names the scope', () => {
    expect(invalidScopeNameText('unsupported')).toBe(
      "invalid server name specified 'unsupported' while enabling/disabling HA scopes",
    );
  });

  it('CMD-18 a HEAD receiver also reads the relationship selector', () => {
    expect(parseHaScopesArgs({ scopes: [], 'server-name': 'server1' }, 'head')).toEqual({
      ok: true,
      value: { scopes: [], serverName: 'server1' },
    });
    expect(parseHaScopesArgs({ scopes: [], 'server-name': 1 }, '2.2')).toEqual({ ok: true, value: { scopes: [] } });
  });
});

describe('ha-sync arguments', () => {
  it('SY-14 accepts a server name and an optional positive max-period', () => {
    expect(parseHaSyncArgs({ 'server-name': 'server2', 'max-period': 60 })).toEqual({
      ok: true,
      value: { serverName: 'server2', maxPeriodS: 60 },
    });
    expect(parseHaSyncArgs({ 'server-name': 'server2' })).toEqual({ ok: true, value: { serverName: 'server2' } });
  });

  it.each([
    [undefined, "arguments not found in the 'ha-sync' command"],
    [['server2'], "arguments in the 'ha-sync' command are not a map"],
    [{ 'max-period': 60 }, "'server-name' is mandatory for the 'ha-sync' command"],
    [{ 'server-name': 2 }, "'server-name' must be a string in the 'ha-sync' command"],
    [{ 'server-name': 'server2', 'max-period': 0 }, "'max-period' must be a positive integer in the 'ha-sync' command"],
    [{ 'server-name': 'server2', 'max-period': -1 }, "'max-period' must be a positive integer in the 'ha-sync' command"],
    [{ 'server-name': 'server2', 'max-period': '60' }, "'max-period' must be a positive integer in the 'ha-sync' command"],
    [{ 'server-name': 'server2', 'max-period': 1.5 }, "'max-period' must be a positive integer in the 'ha-sync' command"],
  ])('SY-14 refuses %j with %j', (args, reason) => {
    expect(parseHaSyncArgs(args)).toEqual({ ok: false, reason });
  });
});

describe('HEAD relationship selector (server-name)', () => {
  const commands: HaCommandName[] = [
    'ha-heartbeat',
    'ha-reset',
    'ha-continue',
    'ha-scopes',
    'ha-maintenance-notify',
    'ha-sync-complete-notify',
  ];

  it.each(commands)('CMD-18 %s: absent selects the default, a string selects, a non-string is an error', (command) => {
    expect(parseRelationshipSelector(command, undefined, 'head')).toEqual({ ok: true, value: {} });
    expect(parseRelationshipSelector(command, {}, 'head')).toEqual({ ok: true, value: {} });
    expect(parseRelationshipSelector(command, { 'server-name': 'server3' }, 'head')).toEqual({
      ok: true,
      value: { serverName: 'server3' },
    });
    expect(parseRelationshipSelector(command, { 'server-name': ['server3'] }, 'head')).toEqual({
      ok: false,
      reason: `'server-name' must be a string in the '${command}' command`,
    });
    expect(parseRelationshipSelector(command, 'server3', 'head')).toEqual({
      ok: false,
      reason: `arguments in the '${command}' command are not a map`,
    });
  });

  it.each(commands)('CMD-18 %s: Kea 2.2 ignores the arguments entirely', (command) => {
    expect(parseRelationshipSelector(command, { 'server-name': 7 }, '2.2')).toEqual({ ok: true, value: {} });
  });

  it('CMD-18 the unknown-name text', () => {
    expect(serverNameUnknownText('server9')).toBe("server9 matches no configured 'server-name'");
  });
});

describe('argument parsers are total', () => {
  it('never throw on arbitrary JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...COMPATS), (args, compat) =>
        [
          parseDhcpDisableArgs(args),
          parseDhcpEnableArgs(args),
          parseHaScopesArgs(args, compat),
          parseHaSyncArgs(args),
          parseMaintenanceNotifyArgs(args, compat),
          parseSyncCompleteNotifyArgs(args, compat),
          parseRelationshipSelector('ha-reset', args, compat),
        ].every((outcome) => typeof outcome.ok === 'boolean'),
      ),
    );
  });
});
