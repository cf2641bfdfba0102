import { describe, expect, it } from 'vitest';
import type { HaMode, PeerRole, StateLabel } from '../src/config/types.js';
import { answer, answerList, serializeKea } from '../src/wire/envelope.js';
import { type HaStatusInput, type HaStatusRemote, buildHaStatus } from '../src/wire/status.js';
import { fixtureJson, fixturePaths, fixtureText } from './wire-fixtures.js';

/** The captured status-get answer with its `high-availability` list replaced by ours, as Kea would write it. */
function statusGetWith(path: string, section: unknown): string {
  const captured = fixtureJson(path) as Array<{ arguments: Record<string, unknown> }>;
  return serializeKea(answerList(answer(0, '', { ...captured[0]!.arguments, 'high-availability': [section] })));
}

const inSyncRemote: Omit<HaStatusRemote, 'role' | 'lastScopes' | 'lastState' | 'serverName'> = {
  ageS: 0,
  inTouch: true,
  communicationInterrupted: false,
  connectingClients: 0,
  unackedClients: 0,
  unackedClientsLeft: 0,
  analyzedPackets: 0,
};

interface CapturedSection {
  'ha-mode': HaMode;
  'ha-servers': {
    local: { role: PeerRole; scopes: string[]; state: StateLabel };
    remote?: {
      age: number;
      'analyzed-packets': number;
      'communication-interrupted': boolean;
      'connecting-clients': number;
      'in-touch': boolean;
      'last-scopes': string[];
      'last-state': StateLabel | 'unavailable' | '';
      role: PeerRole;
      'unacked-clients': number;
      'unacked-clients-left': number;
    };
  };
}

/** The input a server in the captured situation would hand to buildHaStatus. */
function inputFor(section: CapturedSection): HaStatusInput {
  const { local, remote } = section['ha-servers'];
  const nameOf = (role: PeerRole) => (role === 'primary' ? 'server1' : 'server2');
  return {
    mode: section['ha-mode'],
    local: { role: local.role, scopes: local.scopes, state: local.state, serverName: nameOf(local.role) },
    ...(remote === undefined
      ? {}
      : {
          remote: {
            role: remote.role,
            ageS: remote.age,
            inTouch: remote['in-touch'],
            lastScopes: remote['last-scopes'],
            lastState: remote['last-state'],
            communicationInterrupted: remote['communication-interrupted'],
            connectingClients: remote['connecting-clients'],
            unackedClients: remote['unacked-clients'],
            unackedClientsLeft: remote['unacked-clients-left'],
            analyzedPackets: remote['analyzed-packets'],
            serverName: nameOf(remote.role),
          },
        }),
  };
}

describe('status-get high-availability section', () => {
  it('is byte-equal to the captured answer of a standby in hot-standby', () => {
    const section = buildHaStatus(
      {
        mode: 'hot-standby',
        local: { role: 'standby', scopes: [], state: 'hot-standby', serverName: 'server2' },
        remote: { ...inSyncRemote, role: 'primary', lastScopes: ['server1'], lastState: 'hot-standby', serverName: 'server1' },
      },
      '2.2',
    );
    expect(statusGetWith('status-get.response.json', section)).toBe(fixtureText('status-get.response.json'));
  });

  it('is byte-equal to the captured answer of a standby in partner-down with an unreachable primary', () => {
    const section = buildHaStatus(
      {
        mode: 'hot-standby',
        local: { role: 'standby', scopes: ['server1'], state: 'partner-down', serverName: 'server2' },
        remote: {
          role: 'primary',
          ageS: 4,
          inTouch: true,
          lastScopes: ['server1'],
          lastState: 'unavailable',
          communicationInterrupted: true,
          connectingClients: 3,
          unackedClients: 0,
          unackedClientsLeft: 1,
          analyzedPackets: 3,
          serverName: 'server1',
        },
      },
      '2.2',
    );
    expect(statusGetWith('status-get.partner-down.response.json', section)).toBe(
      fixtureText('status-get.partner-down.response.json'),
    );
  });

  it('HB-08 a passive-backup primary reports only local, byte-equal to the capture', () => {
    const path = 'passive-backup-dedicated/curl-status-get-to-server1.response.json';
    const section = buildHaStatus(
      {
        mode: 'passive-backup',
        local: { role: 'primary', scopes: ['server1'], state: 'passive-backup', serverName: 'server1' },
        remote: { ...inSyncRemote, role: 'backup', lastScopes: [], lastState: 'backup', serverName: 'server2' },
      },
      '2.2',
    );
    expect(statusGetWith(path, section)).toBe(fixtureText(path));
  });

  it('HB-08 a backup server reports only local, byte-equal to the capture', () => {
    const path = 'passive-backup-dedicated/curl-status-get-to-server2.response.json';
    const section = buildHaStatus(
      {
        mode: 'passive-backup',
        local: { role: 'backup', scopes: [], state: 'backup', serverName: 'server2' },
        remote: { ...inSyncRemote, role: 'primary', lastScopes: ['server1'], lastState: 'passive-backup', serverName: 'server1' },
      },
      '2.2',
    );
    expect(statusGetWith(path, section)).toBe(fixtureText(path));
  });

  it('HB-08 a backup in a load-balancing relationship reports only local too', () => {
    const section = buildHaStatus(
      {
        mode: 'load-balancing',
        local: { role: 'backup', scopes: [], state: 'backup', serverName: 'server3' },
        remote: { ...inSyncRemote, role: 'primary', lastScopes: ['server1'], lastState: 'load-balancing', serverName: 'server1' },
      },
      '2.2',
    );
    expect(section).toEqual({
      'ha-mode': 'load-balancing',
      'ha-servers': { local: { role: 'backup', scopes: [], state: 'backup' } },
    });
  });

  const statusAnswers = fixturePaths('.response.json').filter((path) => path.includes('status-get'));

  it('covers the captured status-get answers (guard against an empty fixture set)', () => {
    expect(statusAnswers.length).toBeGreaterThanOrEqual(12);
  });

  it.each(statusAnswers)('rebuilds the section of %s byte for byte from the situation it describes', (path) => {
    const captured = fixtureJson(path) as Array<{ arguments: { 'high-availability': CapturedSection[] } }>;
    const section = buildHaStatus(inputFor(captured[0]!.arguments['high-availability'][0]!), '2.2');
    expect(statusGetWith(path, section)).toBe(fixtureText(path));
  });

  it('HB-07 an LB primary in waiting that never heard from its partner: in-touch false, last-state empty, age 0', () => {
    const section = buildHaStatus(
      {
        mode: 'load-balancing',
        local: { role: 'primary', scopes: [], state: 'waiting', serverName: 'server1' },
        remote: {
          ...inSyncRemote,
          role: 'secondary',
          ageS: 12,
          inTouch: false,
          lastScopes: [],
          lastState: '',
          serverName: 'server2',
        },
      },
      '2.2',
    );
    expect(section).toEqual({
      'ha-mode': 'load-balancing',
      'ha-servers': {
        local: { role: 'primary', scopes: [], state: 'waiting' },
        remote: {
          age: 0,
          'analyzed-packets': 0,
          'communication-interrupted': false,
          'connecting-clients': 0,
          'in-touch': false,
          'last-scopes': [],
          'last-state': '',
          role: 'secondary',
          'unacked-clients': 0,
          'unacked-clients-left': 0,
        },
      },
    });
  });

  it('reports scopes as sorted sets', () => {
    const section = buildHaStatus(
      {
        mode: 'load-balancing',
        local: { role: 'primary', scopes: ['server2', 'server1'], state: 'partner-down', serverName: 'server1' },
        remote: { ...inSyncRemote, role: 'secondary', lastScopes: ['server2', 'server1'], lastState: 'unavailable', serverName: 'server2' },
      },
      '2.2',
    ) as { 'ha-servers': { local: { scopes: string[] }; remote: { 'last-scopes': string[] } } };
    expect(section['ha-servers'].local.scopes).toEqual(['server1', 'server2']);
    expect(section['ha-servers'].remote['last-scopes']).toEqual(['server1', 'server2']);
  });

  it('HB-10 HEAD adds server-name, system-time and clock-skew, null before the first measurement', () => {
    const input: HaStatusInput = {
      mode: 'load-balancing',
      local: { role: 'primary', scopes: ['server1'], state: 'load-balancing', serverName: 'server1', systemTimeMs: null },
      remote: {
        ...inSyncRemote,
        role: 'secondary',
        lastScopes: ['server2'],
        lastState: 'load-balancing',
        serverName: 'server2',
      },
    };
    expect(serializeKea(buildHaStatus(input, 'head'))).toBe(
      '{ "ha-mode": "load-balancing", "ha-servers": { ' +
        '"local": { "role": "primary", "scopes": [ "server1" ], "server-name": "server1", "state": "load-balancing", "system-time": null }, ' +
        '"remote": { "age": 0, "analyzed-packets": 0, "clock-skew": null, "communication-interrupted": false, ' +
        '"connecting-clients": 0, "in-touch": true, "last-scopes": [ "server2" ], "last-state": "load-balancing", ' +
        '"role": "secondary", "server-name": "server2", "system-time": null, "unacked-clients": 0, "unacked-clients-left": 0 } } }',
    );
  });

  it('HB-10 HEAD formats the measured times as %Y-%m-%d %H:%M:%S and reports the skew', () => {
    const measuredMs = Date.UTC(2024, 0, 1, 12, 0, 0);
    const section = buildHaStatus(
      {
        mode: 'load-balancing',
        local: { role: 'primary', scopes: [], state: 'waiting', serverName: 'server1', systemTimeMs: measuredMs },
        remote: {
          ...inSyncRemote,
          role: 'secondary',
          lastScopes: [],
          lastState: 'waiting',
          serverName: 'server2',
          systemTimeMs: measuredMs + 1000,
          clockSkewS: 1,
        },
      },
      'head',
    );
    expect(section).toMatchObject({
      'ha-servers': {
        local: { 'system-time': '2024-01-01 12:00:00' },
        remote: { 'system-time': '2024-01-01 12:00:01', 'clock-skew': 1 },
      },
    });
  });
});
