/**
 * Relationship-level parsing and the structural checks of spec §5.4 (CFG-01..11, 16..24, 33, 34).
 * Peer URLs, credentials and TLS are in config-peers.test.ts; input shapes in config-input.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseHaConfig, parseHaRelationships, PAUSABLE_LABELS, type HaConfig, type PausableLabel, type PauseMode } from '../src/config/index.js';
import {
  accepted,
  compat22,
  compatHead,
  hookParameters,
  hotStandby,
  loadBalancing,
  parseOne,
  passiveBackup,
  REL,
  rejected,
  server1,
  server2,
  server3,
  withPeer,
} from './config-fixtures.js';

const allNever = Object.fromEntries(PAUSABLE_LABELS.map((label) => [label, 'never'])) as Record<PausableLabel, PauseMode>;

describe('CFG-01 full load-balancing configuration', () => {
  const full = loadBalancing({
    'send-lease-updates': false,
    'sync-leases': false,
    'sync-timeout': 20000,
    'sync-page-limit': 3,
    'delayed-updates-limit': 111,
    'heartbeat-delay': 8,
    'max-response-delay': 11,
    'max-ack-delay': 5,
    'max-unacked-clients': 20,
    'max-rejected-lease-updates': 9,
    'wait-backup-ack': false,
    'require-client-certs': false,
    'restrict-commands': true,
    'multi-threading': {
      'enable-multi-threading': true,
      'http-dedicated-listener': true,
      'http-listener-threads': 4,
      'http-client-threads': 6,
    },
    'state-machine': {
      states: [
        { state: 'waiting', pause: 'once' },
        { state: 'ready', pause: 'always' },
        { state: 'partner-down', pause: 'never' },
        { state: 'load-balancing' },
      ],
    },
  });

  for (const options of [compat22, compatHead]) {
    it(`CFG-01 every parameter is stored exactly (${options.compat})`, () => {
      const config = accepted(parseOne(full, options));
      const expected: HaConfig = {
        thisServerName: 'server1',
        mode: 'load-balancing',
        peers: [
          { name: 'server1', url: { href: 'http://127.0.0.1:8080/', scheme: 'http', host: '127.0.0.1', family: 4, port: 8080 }, role: 'primary', autoFailover: true },
          { name: 'server2', url: { href: 'http://127.0.0.1:8081/', scheme: 'http', host: '127.0.0.1', family: 4, port: 8081 }, role: 'secondary', autoFailover: true },
          { name: 'server3', url: { href: 'http://127.0.0.1:8082/', scheme: 'http', host: '127.0.0.1', family: 4, port: 8082 }, role: 'backup', autoFailover: true },
        ],
        thisServer: { name: 'server1', url: { href: 'http://127.0.0.1:8080/', scheme: 'http', host: '127.0.0.1', family: 4, port: 8080 }, role: 'primary', autoFailover: true },
        partner: { name: 'server2', url: { href: 'http://127.0.0.1:8081/', scheme: 'http', host: '127.0.0.1', family: 4, port: 8081 }, role: 'secondary', autoFailover: true },
        sendLeaseUpdates: false,
        syncLeases: false,
        syncTimeoutMs: 20000,
        syncPageLimit: 3,
        delayedUpdatesLimit: 111,
        heartbeatDelayMs: 8,
        maxResponseDelayMs: 11,
        maxAckDelayMs: 5,
        maxUnackedClients: 20,
        maxRejectedLeaseUpdates: 9,
        waitBackupAck: false,
        requireClientCerts: false,
        restrictCommands: true,
        multiThreading: { enableMultiThreading: true, httpDedicatedListener: true, httpListenerThreads: 4, httpClientThreads: 6 },
        stateMachine: { ...allNever, waiting: 'once', ready: 'always', 'partner-down': 'never', 'load-balancing': 'never' },
      };
      expect(config).toEqual(expected);
      // Communication-recovery is allowed because the backlog is non-zero.
      expect(config.delayedUpdatesLimit).toBeGreaterThan(0);
    });
  }
});

describe('CFG-02 minimal load-balancing configuration takes the defaults', () => {
  it('CFG-02 defaults under 2.2 compat (no HA multi-threading, commands not restricted)', () => {
    const config = accepted(parseOne(loadBalancing()));
    expect(config).toMatchObject({
      sendLeaseUpdates: true,
      syncLeases: true,
      syncTimeoutMs: 60000,
      syncPageLimit: 10000,
      delayedUpdatesLimit: 100,
      heartbeatDelayMs: 10000,
      maxResponseDelayMs: 60000,
      maxAckDelayMs: 10000,
      maxUnackedClients: 10,
      maxRejectedLeaseUpdates: 0,
      waitBackupAck: false,
      requireClientCerts: true,
      restrictCommands: false,
      multiThreading: { enableMultiThreading: false, httpDedicatedListener: false, httpListenerThreads: 0, httpClientThreads: 0 },
    });
    expect(config.stateMachine).toEqual(allNever);
    expect(config.tls).toBeUndefined();
  });

  it('CFG-02 defaults under head compat (multi-threading and listener on, restrict-commands, 10 rejected updates)', () => {
    const config = accepted(parseOne(loadBalancing(), compatHead));
    expect(config).toMatchObject({
      delayedUpdatesLimit: 100,
      maxRejectedLeaseUpdates: 10,
      restrictCommands: true,
      multiThreading: { enableMultiThreading: true, httpDedicatedListener: true, httpListenerThreads: 0, httpClientThreads: 0 },
    });
  });

  it('CFG-02 the default compat is 2.2', () => {
    const result = parseHaConfig(hookParameters(loadBalancing({ 'heartbeat-delay': 65536 })));
    rejected(result, { path: `${REL}.heartbeat-delay`, rule: 'integer-too-large', text: "'heartbeat-delay' must not be greater than 65535" });
  });
});

describe('CFG-03/04 hot-standby and passive-backup', () => {
  for (const options of [compat22, compatHead]) {
    it(`CFG-03 minimal hot-standby: no backlog, primary and standby (${options.compat})`, () => {
      const config = accepted(parseOne(hotStandby(), options));
      expect(config.delayedUpdatesLimit).toBe(0);
      expect(config.peers.map((peer) => [peer.name, peer.role])).toEqual([
        ['server1', 'primary'],
        ['server2', 'standby'],
        ['server3', 'backup'],
      ]);
      expect(config.partner?.name).toBe('server2');
    });

    it(`CFG-04 passive-backup with a primary, two backups and wait-backup-ack (${options.compat})`, () => {
      const config = accepted(parseOne(passiveBackup({ 'wait-backup-ack': true }), options));
      expect(config.mode).toBe('passive-backup');
      expect(config.waitBackupAck).toBe(true);
      expect(config.delayedUpdatesLimit).toBe(0);
      expect(config.peers.map((peer) => peer.role)).toEqual(['primary', 'backup', 'backup']);
      expect(config.partner).toBeUndefined();
      expect(config.thisServer.name).toBe('server1');
    });
  }

  it('CFG-04 passive-backup needs no backup at all', () => {
    accepted(parseOne(passiveBackup({ peers: [server1()] })));
  });
});

describe('peer order, this server and partner', () => {
  it('peers are ordered primary, secondary, backups in config order, whatever the config order', () => {
    const relationship = loadBalancing({
      'this-server-name': 'server2',
      peers: [
        { ...server3(), name: 'backup-b' },
        server2(),
        { ...server3(), name: 'backup-a' },
        server1(),
      ],
    });
    const config = accepted(parseOne(relationship));
    expect(config.peers.map((peer) => peer.name)).toEqual(['server1', 'server2', 'backup-b', 'backup-a']);
    expect(config.thisServer.name).toBe('server2');
    expect(config.partner?.name).toBe('server1');
  });

  it('a backup server sees the primary as the first non-backup peer', () => {
    const config = accepted(parseOne(loadBalancing({ 'this-server-name': 'server3' })));
    expect(config.thisServer.role).toBe('backup');
    expect(config.partner?.name).toBe('server1');
  });

  it('this-server-name and peer names are trimmed as Kea trims them', () => {
    const config = accepted(parseOne(withPeer(loadBalancing({ 'this-server-name': ' server1\t' }), 0, { name: '\nserver1 ' })));
    expect(config.thisServerName).toBe('server1');
    expect(config.thisServer.name).toBe('server1');
  });

  it('auto-failover is read per peer', () => {
    const config = accepted(parseOne(withPeer(loadBalancing(), 0, { 'auto-failover': false })));
    expect(config.thisServer.autoFailover).toBe(false);
    expect(config.partner?.autoFailover).toBe(true);
  });
});

describe('CFG-05..11 names, mode, ranges, peer count', () => {
  for (const options of [compat22, compatHead]) {
    const v = options.compat;
    it(`CFG-05 this-server-name blank (${v})`, () => {
      rejected(parseOne(loadBalancing({ 'this-server-name': ' \t ' }), options), {
        path: `${REL}.this-server-name`,
        rule: 'this-server-name-empty',
        text: "'this-server-name' value must not be empty",
      });
    });

    it(`CFG-06 this-server-name not among peers (${v})`, () => {
      rejected(parseOne(loadBalancing({ 'this-server-name': 'foo' }), options), {
        path: `${REL}.this-server-name`,
        rule: 'this-server-not-in-peers',
        text: "no peer configuration specified for the 'foo'",
      });
    });

    it(`CFG-07 unsupported mode (${v})`, () => {
      rejected(parseOne(loadBalancing({ mode: 'unsupported-mode' }), options), {
        path: `${REL}.mode`,
        rule: 'mode-value',
        text: "unsupported value 'unsupported-mode' for mode parameter",
      });
    });

    for (const key of ['heartbeat-delay', 'max-response-delay', 'max-ack-delay', 'sync-timeout', 'sync-page-limit', 'delayed-updates-limit', 'max-unacked-clients', 'max-rejected-lease-updates']) {
      it(`CFG-08 negative ${key} (${v})`, () => {
        rejected(parseOne(loadBalancing({ [key]: -1 }), options), {
          path: `${REL}.${key}`,
          rule: 'integer-negative',
          text: `'${key}' must not be negative`,
        });
      });
    }

    it(`CFG-10 load-balancing with a single peer (${v})`, () => {
      rejected(parseOne(loadBalancing({ peers: [server1()] }), options), {
        path: `${REL}.peers`,
        rule: 'role-required',
        text: 'secondary server required in the load balancing configuration',
      });
    });

    it(`CFG-11 blank peer name (${v})`, () => {
      rejected(parseOne(withPeer(loadBalancing(), 1, { name: '  ' }), options), {
        path: `${REL}.peers[1].name`,
        rule: 'peer-name-empty',
        text: 'peer name must not be empty',
      });
    });

    it(`CFG-11 duplicated peer name (${v})`, () => {
      rejected(parseOne(withPeer(loadBalancing(), 2, { name: 'server1' }), options), {
        path: `${REL}.peers[2].name`,
        rule: 'peer-name-unique',
        text: "peer with name 'server1' already specified",
      });
    });
  }

  for (const key of ['heartbeat-delay', 'max-response-delay', 'max-ack-delay']) {
    it(`CFG-09 ${key} 65536 is refused under 2.2`, () => {
      rejected(parseOne(loadBalancing({ [key]: 65536 })), {
        path: `${REL}.${key}`,
        rule: 'integer-too-large',
        text: `'${key}' must not be greater than 65535`,
      });
    });

    it(`CFG-09 ${key} 65535 is the largest value 2.2 accepts`, () => {
      accepted(parseOne(loadBalancing({ [key]: 65535 })));
    });

    it(`CFG-09 ${key} 65536 and 2^32-1 are accepted under head, 2^32 is not`, () => {
      expect(accepted(parseOne(loadBalancing({ [key]: 65536 }), compatHead))).toBeDefined();
      accepted(parseOne(loadBalancing({ [key]: 4294967295 }), compatHead));
      rejected(parseOne(loadBalancing({ [key]: 4294967296 }), compatHead), {
        path: `${REL}.${key}`,
        rule: 'integer-too-large',
        text: `'${key}' must not be greater than 4294967295`,
      });
    });
  }

  it('CFG-09 the 32-bit parameters take 2^32-1 under 2.2 as well', () => {
    const config = accepted(parseOne(loadBalancing({ 'sync-timeout': 4294967295, 'max-unacked-clients': 4294967295 })));
    expect(config.syncTimeoutMs).toBe(4294967295);
    rejected(parseOne(loadBalancing({ 'sync-page-limit': 4294967296 })), {
      path: `${REL}.sync-page-limit`,
      rule: 'integer-too-large',
      text: "'sync-page-limit' must not be greater than 4294967295",
    });
  });

  it('heartbeat-delay 0 and sync-page-limit 0 pass validation (spec §13 item 18)', () => {
    const config = accepted(parseOne(loadBalancing({ 'heartbeat-delay': 0, 'sync-page-limit': 0 })));
    expect([config.heartbeatDelayMs, config.syncPageLimit]).toEqual([0, 0]);
  });
});

describe('CFG-16..22 roles and what each mode allows', () => {
  for (const options of [compat22, compatHead]) {
    const v = options.compat;
    it(`CFG-16 unsupported role (${v})`, () => {
      rejected(parseOne(withPeer(loadBalancing(), 1, { role: 'unsupported' }), options), {
        path: `${REL}.peers[1].role`,
        rule: 'role-value',
        text: "unsupported value 'unsupported' for role parameter",
      });
    });

    it(`CFG-17 two primaries (${v})`, () => {
      rejected(parseOne(withPeer(loadBalancing(), 1, { role: 'primary' }), options), {
        path: `${REL}.peers[1].role`,
        rule: 'role-multiple',
        text: 'multiple primary servers specified',
      });
    });

    it(`CFG-17 two secondaries (${v})`, () => {
      rejected(parseOne(withPeer(loadBalancing(), 2, { role: 'secondary' }), options), {
        path: `${REL}.peers[2].role`,
        rule: 'role-multiple',
        text: 'multiple secondary servers specified',
      });
    });

    it(`CFG-17 two standbys (${v})`, () => {
      rejected(parseOne(withPeer(hotStandby(), 2, { role: 'standby' }), options), {
        path: `${REL}.peers[2].role`,
        rule: 'role-multiple',
        text: 'multiple standby servers specified',
      });
    });

    it(`CFG-18 load-balancing without primary (${v})`, () => {
      const relationship = withPeer(loadBalancing({ 'this-server-name': 'server2' }), 0, { role: 'backup' });
      rejected(parseOne(relationship, options), {
        path: `${REL}.peers`,
        rule: 'role-required',
        text: 'primary server required in the load balancing configuration',
      });
    });

    it(`CFG-18 load-balancing without secondary (${v})`, () => {
      rejected(parseOne(withPeer(loadBalancing(), 1, { role: 'backup' }), options), {
        path: `${REL}.peers`,
        rule: 'role-required',
        text: 'secondary server required in the load balancing configuration',
      });
    });

    it(`CFG-18 load-balancing with a standby (${v})`, () => {
      rejected(parseOne(withPeer(loadBalancing(), 2, { role: 'standby' }), options), {
        path: `${REL}.peers[2].role`,
        rule: 'role-not-allowed',
        text: 'standby servers not allowed in the load balancing configuration',
      });
    });

    it(`CFG-19 hot-standby without primary (${v})`, () => {
      const relationship = withPeer(hotStandby({ 'this-server-name': 'server2' }), 0, { role: 'backup' });
      rejected(parseOne(relationship, options), {
        path: `${REL}.peers`,
        rule: 'role-required',
        text: 'primary server required in the hot standby configuration',
      });
    });

    it(`CFG-19 hot-standby without standby (${v})`, () => {
      rejected(parseOne(withPeer(hotStandby(), 1, { role: 'backup' }), options), {
        path: `${REL}.peers`,
        rule: 'role-required',
        text: 'standby server required in the hot standby configuration',
      });
    });

    it(`CFG-19 hot-standby with a secondary (${v})`, () => {
      rejected(parseOne(withPeer(hotStandby(), 2, { role: 'secondary' }), options), {
        path: `${REL}.peers[2].role`,
        rule: 'role-not-allowed',
        text: 'secondary servers not allowed in the hot standby configuration',
      });
    });

    it(`CFG-20 passive-backup with a secondary (${v})`, () => {
      rejected(parseOne(withPeer(passiveBackup(), 1, { role: 'secondary' }), options), {
        path: `${REL}.peers[1].role`,
        rule: 'role-not-allowed',
        text: 'secondary servers not allowed in the passive backup configuration',
      });
    });

    it(`CFG-20 passive-backup with a standby (${v})`, () => {
      rejected(parseOne(withPeer(passiveBackup(), 1, { role: 'standby' }), options), {
        path: `${REL}.peers[1].role`,
        rule: 'role-not-allowed',
        text: 'standby servers not allowed in the passive backup configuration',
      });
    });

    it(`CFG-20 passive-backup without primary (${v})`, () => {
      rejected(parseOne(withPeer(passiveBackup(), 0, { role: 'backup' }), options), {
        path: `${REL}.peers`,
        rule: 'role-required',
        text: 'primary server required in the passive backup configuration',
      });
    });

    it(`CFG-21 wait-backup-ack in load-balancing (${v})`, () => {
      rejected(parseOne(loadBalancing({ 'wait-backup-ack': true }), options), {
        path: `${REL}.wait-backup-ack`,
        rule: 'wait-backup-ack-mode',
        text: "'wait-backup-ack' must be set to false in the load balancing configuration",
      });
    });

    it(`CFG-21 wait-backup-ack in hot-standby (${v})`, () => {
      rejected(parseOne(hotStandby({ 'wait-backup-ack': true }), options), {
        path: `${REL}.wait-backup-ack`,
        rule: 'wait-backup-ack-mode',
        text: "'wait-backup-ack' must be set to false in the hot standby configuration",
      });
    });

    it(`CFG-22 delayed-updates-limit in hot-standby (${v})`, () => {
      rejected(parseOne(hotStandby({ 'delayed-updates-limit': 1 }), options), {
        path: `${REL}.delayed-updates-limit`,
        rule: 'delayed-updates-limit-mode',
        text: "'delayed-updates-limit' must be set to 0 in the hot standby configuration",
      });
    });

    it(`CFG-22 delayed-updates-limit in passive-backup (${v})`, () => {
      rejected(parseOne(passiveBackup({ 'delayed-updates-limit': 1 }), options), {
        path: `${REL}.delayed-updates-limit`,
        rule: 'delayed-updates-limit-mode',
        text: "'delayed-updates-limit' must be set to 0 in the passive backup configuration",
      });
    });
  }

  it('CFG-22 an explicit delayed-updates-limit of 0 is fine in hot-standby and disables recovery in load-balancing', () => {
    accepted(parseOne(hotStandby({ 'delayed-updates-limit': 0 })));
    expect(accepted(parseOne(loadBalancing({ 'delayed-updates-limit': 0 }))).delayedUpdatesLimit).toBe(0);
  });

  it('role counts are checked before what the mode requires (Kea order)', () => {
    const relationship = loadBalancing({ peers: [server1(), { ...server2(), role: 'primary' }] });
    rejected(parseOne(relationship), { path: `${REL}.peers[1].role`, rule: 'role-multiple', text: 'multiple primary servers specified' });
  });
});

describe('CFG-23/24 state-machine', () => {
  for (const options of [compat22, compatHead]) {
    const v = options.compat;
    it(`CFG-23 state-machine not a map (${v})`, () => {
      rejected(parseOne(loadBalancing({ 'state-machine': [] }), options), {
        path: `${REL}.state-machine`,
        rule: 'state-machine-not-map',
        text: "'state-machine' parameter must be a map",
      });
    });

    it(`CFG-23 states not a list (${v})`, () => {
      rejected(parseOne(loadBalancing({ 'state-machine': { states: {} } }), options), {
        path: `${REL}.state-machine.states`,
        rule: 'states-not-list',
        text: "'states' parameter must be a list",
      });
    });

    it(`CFG-23 a state entry that is not a map (${v})`, () => {
      rejected(parseOne(loadBalancing({ 'state-machine': { states: ['waiting'] } }), options), {
        path: `${REL}.state-machine.states[0]`,
        rule: 'state-not-map',
        text: 'state configuration must be a map',
      });
    });

    it(`CFG-24 unknown state foo (${v})`, () => {
      rejected(parseOne(loadBalancing({ 'state-machine': { states: [{ state: 'foo', pause: 'always' }] } }), options), {
        path: `${REL}.state-machine.states[0].state`,
        rule: 'state-label',
        text: 'unknown state foo',
      });
    });

    it(`CFG-24 unsupported pause foo (${v})`, () => {
      rejected(parseOne(loadBalancing({ 'state-machine': { states: [{ state: 'waiting', pause: 'foo' }] } }), options), {
        path: `${REL}.state-machine.states[0].pause`,
        rule: 'pause-value',
        text: "unsupported value foo of 'pause' parameter",
      });
    });

    it(`CFG-24 duplicated waiting (${v})`, () => {
      const states = [{ state: 'waiting', pause: 'always' }, { state: 'ready' }, { state: 'waiting', pause: 'once' }];
      rejected(parseOne(loadBalancing({ 'state-machine': { states } }), options), {
        path: `${REL}.state-machine.states[2].state`,
        rule: 'state-duplicated',
        text: "duplicated configuration for the 'waiting' state",
      });
    });
  }

  it('CFG-24 every state label, and unavailable, may carry a pause setting', () => {
    const states = PAUSABLE_LABELS.map((state) => ({ state, pause: 'always' }));
    const config = accepted(parseOne(loadBalancing({ 'state-machine': { states } })));
    expect(Object.values(config.stateMachine)).toEqual(PAUSABLE_LABELS.map(() => 'always'));
  });

  it('CFG-24 an empty state-machine map or states list leaves every state at never', () => {
    expect(accepted(parseOne(loadBalancing({ 'state-machine': {} }))).stateMachine).toEqual(allNever);
    expect(accepted(parseOne(loadBalancing({ 'state-machine': { states: [] } }))).stateMachine).toEqual(allNever);
  });

  it('state entries are read after the peers, as Kea does', () => {
    const relationship = withPeer(loadBalancing({ 'state-machine': { states: [{ state: 'foo' }] } }), 1, { role: 'nope' });
    rejected(parseOne(relationship), { path: `${REL}.peers[1].role`, rule: 'role-value', text: "unsupported value 'nope' for role parameter" });
  });
});

describe('CFG-33/34 relationships in the list', () => {
  const hub = () => hotStandby();
  const spoke = () => ({
    'this-server-name': 'server4',
    mode: 'hot-standby',
    peers: [
      { name: 'server4', url: 'http://127.0.0.1:8083/', role: 'primary' },
      { name: 'server5', url: 'http://127.0.0.1:8084/', role: 'standby' },
    ],
  });

  it('CFG-33 two relationships are refused under 2.2', () => {
    rejected(parseHaConfig(hookParameters(hub(), spoke()), compat22), {
      path: '$.high-availability',
      rule: 'relationship-count',
      text: 'invalid number of configurations in the HA configuration list. Expected exactly one configuration',
    });
  });

  it('CFG-33 an empty list is refused under 2.2 with the same text', () => {
    rejected(parseHaConfig(hookParameters(), compat22), {
      path: '$.high-availability',
      rule: 'relationship-count',
      text: 'Expected exactly one configuration',
    });
  });

  it('CFG-33 an empty list is refused under head', () => {
    rejected(parseHaConfig(hookParameters(), compatHead), {
      path: '$.high-availability',
      rule: 'relationship-count',
      text: 'a list of HA configurations must not be empty',
    });
  });

  it('CFG-33 a relationship that is not a map (2.2 and head texts)', () => {
    rejected(parseHaConfig({ 'high-availability': ['x'] }, compat22), {
      path: '$.high-availability[0]',
      rule: 'relationship-not-map',
      text: 'expected list of maps in the HA configuration',
    });
    rejected(parseHaConfig({ 'high-availability': [hub(), 7] }, compatHead), {
      path: '$.high-availability[1]',
      rule: 'relationship-not-map',
      text: 'HA configuration for a relationship must be a map',
    });
  });

  it('CFG-34 two hot-standby relationships with distinct names are accepted under head; the first is returned', () => {
    const all = parseHaRelationships(hookParameters(hub(), spoke()), compatHead);
    if (!all.ok) return expect.fail(all.error.message);
    expect(all.value.map((relationship) => relationship.thisServerName)).toEqual(['server1', 'server4']);
    expect(accepted(parseHaConfig(hookParameters(hub(), spoke()), compatHead)).thisServerName).toBe('server1');
  });

  it('CFG-34 load-balancing in a multi-relationship list', () => {
    const lb = { ...spoke(), mode: 'load-balancing', peers: [
      { name: 'server4', url: 'http://127.0.0.1:8083/', role: 'primary' },
      { name: 'server5', url: 'http://127.0.0.1:8084/', role: 'secondary' },
    ] };
    rejected(parseHaConfig(hookParameters(hub(), lb), compatHead), {
      path: '$.high-availability[1].mode',
      rule: 'relationships-hot-standby-only',
      text: "multiple HA relationships are only supported for 'hot-standby' mode",
    });
  });

  it('CFG-34 repeated this-server-name across relationships', () => {
    const repeated = { ...spoke(), 'this-server-name': 'server1', peers: [server1(), { name: 'server5', url: 'http://127.0.0.1:8084/', role: 'standby' }] };
    rejected(parseHaConfig(hookParameters(hub(), repeated), compatHead), {
      path: '$.high-availability[1].peers[0].name',
      rule: 'server-names-unique',
      text: 'server names must be unique for different relationships',
    });
  });

  it('CFG-34 each relationship is fully validated', () => {
    const broken = { ...spoke(), 'heartbeat-delay': -5 };
    rejected(parseHaConfig(hookParameters(hub(), broken), compatHead), {
      path: '$.high-availability[1].heartbeat-delay',
      rule: 'integer-negative',
      text: "'heartbeat-delay' must not be negative",
    });
  });

  it('HA configuration must be a list', () => {
    rejected(parseHaConfig({ 'high-availability': { mode: 'hot-standby' } }), {
      path: '$.high-availability',
      rule: 'relationships-not-list',
      text: 'HA configuration must be a list',
    });
  });

  it('peers missing, not a list, entry not a map', () => {
    const { peers: _dropped, ...noPeers } = loadBalancing();
    rejected(parseOne(noPeers), { path: `${REL}.peers`, rule: 'peers-missing', text: "'peers' parameter missing in HA configuration" });
    rejected(parseOne(loadBalancing({ peers: {} })), { path: `${REL}.peers`, rule: 'peers-not-list', text: "'peers' parameter must be a list" });
    rejected(parseOne(loadBalancing({ peers: [server1(), 'server2'] })), {
      path: `${REL}.peers[1]`,
      rule: 'peer-not-map',
      text: 'peer configuration must be a map',
    });
  });

  it('multi-threading must be a map', () => {
    rejected(parseOne(loadBalancing({ 'multi-threading': true })), {
      path: `${REL}.multi-threading`,
      rule: 'multi-threading-not-map',
      text: 'multi-threading configuration must be a map',
    });
  });

  it('multi-threading thread counts are range-checked', () => {
    rejected(parseOne(loadBalancing({ 'multi-threading': { 'http-client-threads': -2 } })), {
      path: `${REL}.multi-threading.http-client-threads`,
      rule: 'integer-negative',
      text: "'http-client-threads' must not be negative",
    });
  });

  it('a backup peer may itself be this server in passive-backup mode', () => {
    const config = accepted(parseOne(passiveBackup({ 'this-server-name': 'server3' })));
    expect(config.thisServer.role).toBe('backup');
    expect(config.partner).toBeUndefined();
  });
});
