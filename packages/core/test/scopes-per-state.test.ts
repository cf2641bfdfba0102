import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { STATE_LABELS, type HaMode, type StateLabel } from '../src/config/types.js';
import {
  defaultScopes,
  dhcpServiceWanted,
  failoverScopes,
  sortScopes,
  validateScopes,
} from '../src/scopes/scopes-per-state.js';
import { queryFilterFor, servesScope } from '../src/scopes/query-filter.js';
import { haConfig } from './scopes-communication.fixture.js';

type Server = 'LB primary' | 'LB secondary' | 'HS primary' | 'HS standby' | 'PB primary';

const SERVERS: Record<Server, { mode: HaMode; name: string }> = {
  'LB primary': { mode: 'load-balancing', name: 'server1' },
  'LB secondary': { mode: 'load-balancing', name: 'server2' },
  'HS primary': { mode: 'hot-standby', name: 'server1' },
  'HS standby': { mode: 'hot-standby', name: 'server2' },
  'PB primary': { mode: 'passive-backup', name: 'server1' },
};

// §7.6, one row per state group: [states, flavour, LB primary, LB secondary, HS primary, HS standby].
const BOTH = ['server1', 'server2'];
const TABLE: readonly [readonly StateLabel[], 'auto' | 'manual' | 'maintenance', ...(readonly string[])[]][] = [
  [['load-balancing', 'hot-standby', 'communication-recovery', 'terminated'], 'auto', ['server1'], ['server2'], ['server1'], []],
  [['partner-down'], 'auto', BOTH, BOTH, ['server1'], ['server1']],
  [['partner-down'], 'maintenance', BOTH, BOTH, ['server1'], ['server1']],
  [['partner-down'], 'manual', ['server1'], ['server2'], ['server1'], []],
  [['partner-in-maintenance'], 'auto', BOTH, BOTH, ['server1'], ['server1']],
  [['partner-in-maintenance'], 'manual', BOTH, BOTH, ['server1'], ['server1']],
  [['waiting', 'syncing', 'ready', 'in-maintenance'], 'auto', [], [], [], []],
];

function configFor(server: Server, flavour: 'auto' | 'manual' | 'maintenance') {
  const { mode, name } = SERVERS[server];
  const second = mode === 'load-balancing' ? 'secondary' : mode === 'hot-standby' ? 'standby' : 'backup';
  const autoFailover = flavour !== 'manual';
  return haConfig({
    mode,
    thisServerName: name,
    peers: [
      { name: 'server1', role: 'primary', autoFailover },
      { name: 'server2', role: second, autoFailover },
      { name: 'server3', role: 'backup', autoFailover },
    ],
  });
}

describe('scopes on state entry (§7.6)', () => {
  const cases = TABLE.flatMap(([states, flavour, ...columns]) =>
    states.flatMap((state) =>
      (['LB primary', 'LB secondary', 'HS primary', 'HS standby'] as const).map(
        (server, i) => [state, flavour, server, columns[i] as readonly string[]] as const,
      ),
    ),
  );

  it.each(cases)('%s (%s) on the %s serves %j', (state, flavour, server, expected) => {
    const config = configFor(server, flavour);
    expect(defaultScopes(config, state, { maintenanceEntry: flavour === 'maintenance' })).toEqual(expected);
  });

  it('partner-down after ha-maintenance-start serves all scopes even with auto-failover off', () => {
    const config = configFor('LB primary', 'manual');
    expect(defaultScopes(config, 'partner-down', { maintenanceEntry: true })).toEqual(BOTH);
    expect(defaultScopes(config, 'partner-down', { maintenanceEntry: false })).toEqual(['server1']);
  });

  it("only this server's auto-failover flag counts in partner-down", () => {
    const peers = [
      { name: 'server1', role: 'primary', autoFailover: true },
      { name: 'server2', role: 'secondary', autoFailover: false },
    ] as const;
    const asServer1 = haConfig({ peers, thisServerName: 'server1' });
    const asServer2 = haConfig({ peers, thisServerName: 'server2' });
    expect(defaultScopes(asServer1, 'partner-down', { maintenanceEntry: false })).toEqual(BOTH);
    expect(defaultScopes(asServer2, 'partner-down', { maintenanceEntry: false })).toEqual(['server2']);
  });

  it('the PB primary serves its own scope in passive-backup and nothing while waiting', () => {
    const config = configFor('PB primary', 'auto');
    expect(defaultScopes(config, 'passive-backup', { maintenanceEntry: false })).toEqual(['server1']);
    expect(defaultScopes(config, 'waiting', { maintenanceEntry: false })).toEqual([]);
  });

  it('a backup serves nothing, in any mode', () => {
    for (const mode of ['load-balancing', 'hot-standby', 'passive-backup'] as const) {
      const config = haConfig({ mode, thisServerName: 'server3' });
      expect(defaultScopes(config, 'backup', { maintenanceEntry: false })).toEqual([]);
      expect(defaultScopes(config, 'waiting', { maintenanceEntry: false })).toEqual([]);
    }
  });

  it('failover scopes: primary and secondary in LB, the primary in HS and PB', () => {
    expect(failoverScopes(haConfig())).toEqual(BOTH);
    expect(failoverScopes(haConfig({ mode: 'hot-standby', thisServerName: 'server2' }))).toEqual(['server1']);
    expect(failoverScopes(haConfig({ mode: 'passive-backup' }))).toEqual(['server1']);
  });

  it('scopes come out sorted even when the primary has the larger name', () => {
    const config = haConfig({
      peers: [
        { name: 'zeta', role: 'primary' },
        { name: 'alpha', role: 'secondary' },
      ],
      thisServerName: 'zeta',
    });
    expect(failoverScopes(config)).toEqual(['alpha', 'zeta']);
  });

  test.prop([fc.array(fc.string({ unit: 'binary' }), { maxLength: 12 })])(
    'sorting follows code points, as the UTF-8 bytes Kea compares, and removes duplicates',
    (names) => {
      const sorted = sortScopes(names);
      const utf8 = [...new Set(names)].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
      expect(sorted).toEqual(utf8);
    },
  );
});

describe('local DHCP service per state (§1.5)', () => {
  const ENABLED: readonly StateLabel[] = [
    'load-balancing',
    'hot-standby',
    'communication-recovery',
    'partner-down',
    'partner-in-maintenance',
    'terminated',
    'passive-backup',
  ];

  it.each(STATE_LABELS.map((s) => [s, ENABLED.includes(s)] as const))('%s wants the service enabled: %s', (state, wanted) => {
    expect(dhcpServiceWanted(state)).toBe(wanted);
  });
});

describe('ha-scopes argument (§7.7, §8.4)', () => {
  const config = haConfig();

  it('LB-11 serving server2 only, then a list with the backup, then nothing', () => {
    const only2 = validateScopes(config, ['server2']);
    expect(only2).toEqual({ ok: true, scopes: ['server2'] });
    const filter = queryFilterFor(config, only2.ok ? only2.scopes : []);
    expect(['server1', 'server2', 'server3'].map((s) => servesScope(filter, s))).toEqual([false, true, false]);

    expect(validateScopes(config, ['server3', 'server1'])).toEqual({ ok: true, scopes: ['server1', 'server3'] });
    expect(validateScopes(config, [])).toEqual({ ok: true, scopes: [] });
  });

  it('LB-11 an unknown name is refused with Kea text, naming the first unknown', () => {
    expect(validateScopes(config, ['server1', 'unsupported', 'other'])).toEqual({
      ok: false,
      error: "invalid server name specified 'unsupported' while enabling/disabling HA scopes",
    });
  });

  it('LB-11 the HA_ class names are not scope names (quirk §13.1)', () => {
    expect(validateScopes(config, ['HA_server1'])).toEqual({
      ok: false,
      error: "invalid server name specified 'HA_server1' while enabling/disabling HA scopes",
    });
  });

  it('scopes that are not a list, or hold a non-string, are refused before names are checked', () => {
    expect(validateScopes(config, 'server1')).toEqual({ ok: false, error: "'scopes' must be a list in the 'ha-scopes' command" });
    expect(validateScopes(config, { server1: true })).toEqual({
      ok: false,
      error: "'scopes' must be a list in the 'ha-scopes' command",
    });
    expect(validateScopes(config, ['nobody', 1])).toEqual({
      ok: false,
      error: "scope name must be a string in the 'scopes' argument",
    });
  });

  it('duplicates collapse, as in a set', () => {
    expect(validateScopes(config, ['server2', 'server2'])).toEqual({ ok: true, scopes: ['server2'] });
  });
});
