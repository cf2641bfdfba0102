/**
 * What the parser accepts as input (bare list, hook parameters, whole Kea document), the JSON
 * shape checks (types, unknown keys), immutability of the result, and configurations rebuilt
 * from the real Kea 2.2.0 captures in /work/shared/kea-wire.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HaConfigError, parseHaConfig, parseHaConfigOrThrow, type HaConfig } from '../src/config/index.js';
import { accepted, compat22, compatHead, hookParameters, loadBalancing, parseOne, REL, rejected, withPeer, type JsonMap } from './config-fixtures.js';

const keaDocument = (hooks: unknown[]): JsonMap => ({
  Dhcp4: {
    'interfaces-config': { interfaces: ['eth0'] },
    'hooks-libraries': hooks,
    subnet4: [],
  },
});
const leaseCmds = { library: '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so' };
const haHook = (parameters: unknown): JsonMap => ({ library: '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_ha.so', parameters });

describe('input shapes', () => {
  it('the bare relationship list is accepted; paths start at $', () => {
    expect(accepted(parseHaConfig([loadBalancing()])).thisServerName).toBe('server1');
    rejected(parseHaConfig([loadBalancing({ mode: 'x' })]), { path: '$[0].mode', rule: 'mode-value', text: "unsupported value 'x' for mode parameter" });
  });

  it('the hook parameters map is accepted; paths start at $.high-availability', () => {
    rejected(parseHaConfig(hookParameters(withPeer(loadBalancing(), 1, { url: 'x' }))), {
      path: '$.high-availability[0].peers[1].url',
      rule: 'peer-url-invalid',
      text: 'invalid URL: url x lacks http or https scheme for server server2',
    });
  });

  it('a whole Kea document: the libdhcp_ha.so entry is found and paths point into the document', () => {
    const document = keaDocument([leaseCmds, haHook(hookParameters(loadBalancing()))]);
    expect(accepted(parseHaConfig(document)).mode).toBe('load-balancing');
    const broken = keaDocument([leaseCmds, haHook(hookParameters(loadBalancing({ 'heartbeat-delay': -1 })))]);
    rejected(parseHaConfig(broken), {
      path: '$.Dhcp4.hooks-libraries[1].parameters.high-availability[0].heartbeat-delay',
      rule: 'integer-negative',
      text: "'heartbeat-delay' must not be negative",
    });
  });

  it('a Dhcp6 document is searched the same way', () => {
    const document = { Dhcp6: { 'hooks-libraries': [haHook(hookParameters(loadBalancing()))] } };
    expect(accepted(parseHaConfig(document)).thisServerName).toBe('server1');
  });

  it('a document without libdhcp_ha.so', () => {
    rejected(parseHaConfig(keaDocument([leaseCmds])), {
      path: '$.Dhcp4.hooks-libraries',
      rule: 'ha-library-missing',
      text: 'no hooks-libraries entry loads libdhcp_ha.so',
    });
    rejected(parseHaConfig({ Dhcp4: {} }), { path: '$.Dhcp4.hooks-libraries', rule: 'ha-library-missing', text: 'libdhcp_ha.so' });
  });

  it('a library whose name merely contains libdhcp_ha.so is not the HA hook', () => {
    rejected(parseHaConfig(keaDocument([{ library: '/opt/libdhcp_ha.so.bak', parameters: {} }])), {
      path: '$.Dhcp4.hooks-libraries',
      rule: 'ha-library-missing',
      text: 'no hooks-libraries entry loads libdhcp_ha.so',
    });
  });

  it('libdhcp_ha.so loaded twice', () => {
    const parameters = hookParameters(loadBalancing());
    rejected(parseHaConfig(keaDocument([haHook(parameters), leaseCmds, haHook(parameters)])), {
      path: '$.Dhcp4.hooks-libraries[2]',
      rule: 'ha-library-duplicate',
      text: 'libdhcp_ha.so is loaded more than once',
    });
  });

  it('the HA hook entry without parameters or without high-availability', () => {
    rejected(parseHaConfig(keaDocument([{ library: 'libdhcp_ha.so' }])), {
      path: '$.Dhcp4.hooks-libraries[0].parameters',
      rule: 'missing-parameter',
      text: "missing parameter 'parameters'",
    });
    rejected(parseHaConfig(keaDocument([haHook({})])), {
      path: '$.Dhcp4.hooks-libraries[0].parameters.high-availability',
      rule: 'missing-parameter',
      text: "missing parameter 'high-availability'",
    });
    rejected(parseHaConfig(keaDocument([haHook([])])), {
      path: '$.Dhcp4.hooks-libraries[0].parameters',
      rule: 'invalid-type',
      text: "'parameters' of libdhcp_ha.so must be a map, got a list",
    });
  });

  it('a document with both Dhcp4 and Dhcp6 is ambiguous', () => {
    rejected(parseHaConfig({ Dhcp4: {}, Dhcp6: {} }), { path: '$', rule: 'input-shape', text: 'both Dhcp4 and Dhcp6' });
  });

  it('a map that is none of the three shapes', () => {
    rejected(parseHaConfig({ mode: 'hot-standby' }), { path: '$', rule: 'input-shape', text: "expected the 'high-availability' list" });
  });

  it('anything but a map or list is reported as Kea reports it', () => {
    for (const input of [null, 'text', 7, true]) {
      rejected(parseHaConfig(input), { path: '$', rule: 'relationships-not-list', text: 'HA configuration must be a list' });
    }
  });

  it('keys with unusual characters are bracket-quoted in paths', () => {
    rejected(parseHaConfig({ 'high-availability': [loadBalancing()], 'odd key': 1 }), {
      path: '$["odd key"]',
      rule: 'unknown-key',
      text: "unknown parameter 'odd key' in the HA hook parameters",
    });
  });
});

describe('unknown keys are refused (Tandem decision; Kea ignores them)', () => {
  it("Kea's annotations 'comment' and 'user-context' are accepted on relationship and peer maps", () => {
    const config = accepted(
      parseOne(withPeer(loadBalancing({ comment: 'pair A', 'user-context': { site: 'x' } }), 0, { comment: 'left', 'user-context': {} })),
    );
    expect(config.mode).toBe('load-balancing');
  });

  it('at relationship level, with a suggestion for a near miss', () => {
    rejected(parseOne(loadBalancing({ 'heartbeat-dealy': 5000 })), {
      path: `${REL}.heartbeat-dealy`,
      rule: 'unknown-key',
      text: "unknown parameter 'heartbeat-dealy' in the HA relationship configuration; did you mean 'heartbeat-delay'?",
    });
  });

  it('at peer level', () => {
    rejected(parseOne(withPeer(loadBalancing(), 2, { 'auto-failvoer': false })), {
      path: `${REL}.peers[2].auto-failvoer`,
      rule: 'unknown-key',
      text: "unknown parameter 'auto-failvoer' in the peer configuration; did you mean 'auto-failover'?",
    });
  });

  it('at multi-threading level', () => {
    rejected(parseOne(loadBalancing({ 'multi-threading': { 'thread-count': 4 } })), {
      path: `${REL}.multi-threading.thread-count`,
      rule: 'unknown-key',
      text: "unknown parameter 'thread-count' in the multi-threading configuration",
    });
  });

  it('at state-machine and state-entry level', () => {
    rejected(parseOne(loadBalancing({ 'state-machine': { states: [], pause: 'always' } })), {
      path: `${REL}.state-machine.pause`,
      rule: 'unknown-key',
      text: "unknown parameter 'pause' in the state-machine configuration",
    });
    rejected(parseOne(loadBalancing({ 'state-machine': { states: [{ state: 'waiting', paused: 'always' }] } })), {
      path: `${REL}.state-machine.states[0].paused`,
      rule: 'unknown-key',
      text: "unknown parameter 'paused' in the state configuration; did you mean 'pause'?",
    });
  });

  it('keys that only look like object internals are plain unknown keys', () => {
    const relationship = JSON.parse('{"__proto__": {"mode": "x"}, "mode": "load-balancing"}') as JsonMap;
    rejected(parseOne(relationship), { path: `${REL}.__proto__`, rule: 'unknown-key', text: "unknown parameter '__proto__'" });
  });

  for (const options of [compat22, compatHead]) {
    it(`keys of either Kea version are known in both compat modes (${options.compat})`, () => {
      const relationship = withPeer(loadBalancing({ 'max-rejected-lease-updates': 3, 'restrict-commands': false }), 1, {
        'basic-auth-user-file': '/u',
      });
      const config = accepted(parseOne(relationship, { ...options, readFile: () => 'kea' }));
      expect(config.maxRejectedLeaseUpdates).toBe(3);
      expect(config.partner?.basicAuth).toEqual({ user: 'kea', password: '' });
    });
  }
});

describe('wrong JSON types name the key and the expected type', () => {
  const cases: ReadonlyArray<readonly [string, unknown, string]> = [
    ['mode', 5, 'a string'],
    ['this-server-name', null, 'a string'],
    ['heartbeat-delay', '10000', 'an integer'],
    ['max-ack-delay', 1.5, 'an integer'],
    ['sync-leases', 'true', 'a boolean'],
    ['wait-backup-ack', 0, 'a boolean'],
    ['require-client-certs', [], 'a boolean'],
  ];
  for (const [key, value, expected] of cases) {
    it(`${key}: ${JSON.stringify(value)}`, () => {
      rejected(parseOne(loadBalancing({ [key]: value })), {
        path: `${REL}.${key}`,
        rule: 'invalid-type',
        text: `invalid type specified for parameter '${key}': expected ${expected}`,
      });
    });
  }

  it('a missing mode or this-server-name', () => {
    const { mode: _mode, ...noMode } = loadBalancing();
    rejected(parseOne(noMode), { path: `${REL}.mode`, rule: 'missing-parameter', text: "missing parameter 'mode'" });
    const { 'this-server-name': _name, ...noName } = loadBalancing();
    rejected(parseOne(noName), { path: `${REL}.this-server-name`, rule: 'missing-parameter', text: "missing parameter 'this-server-name'" });
  });

  it('a peer without url or role', () => {
    rejected(parseOne(withPeer(loadBalancing(), 1, { url: undefined })), { path: `${REL}.peers[1].url`, rule: 'missing-parameter', text: "missing parameter 'url'" });
    rejected(parseOne(withPeer(loadBalancing(), 1, { role: undefined })), { path: `${REL}.peers[1].role`, rule: 'missing-parameter', text: "missing parameter 'role'" });
  });

  it('a state entry with a non-string pause', () => {
    rejected(parseOne(loadBalancing({ 'state-machine': { states: [{ state: 'ready', pause: true }] } })), {
      path: `${REL}.state-machine.states[0].pause`,
      rule: 'invalid-type',
      text: "invalid type specified for parameter 'pause': expected a string, got a boolean",
    });
  });
});

describe('the result', () => {
  it('is deeply frozen', () => {
    const config = accepted(parseOne(loadBalancing({ 'state-machine': { states: [{ state: 'ready', pause: 'once' }] } })));
    const frozen = (value: unknown): boolean =>
      typeof value !== 'object' || value === null || (Object.isFrozen(value) && Object.values(value).every(frozen));
    expect(frozen(config)).toBe(true);
    expect(() => {
      (config.peers[0] as { name: string }).name = 'changed';
    }).toThrow(TypeError);
  });

  it('does not share or alter the input', () => {
    const input = loadBalancing();
    const before = JSON.stringify(input);
    accepted(parseOne(input));
    expect(JSON.stringify(input)).toBe(before);
    expect(Object.isFrozen(input)).toBe(false);
  });

  it('parseHaConfigOrThrow returns the config or throws HaConfigError with path and rule', () => {
    expect(parseHaConfigOrThrow(hookParameters(loadBalancing())).mode).toBe('load-balancing');
    try {
      parseHaConfigOrThrow(hookParameters(loadBalancing({ mode: 'nope' })));
      expect.fail('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(HaConfigError);
      expect(error).toMatchObject({ path: `${REL}.mode`, rule: 'mode-value', keaText: "unsupported value 'nope' for mode parameter" });
      expect((error as Error).message).toBe(`unsupported value 'nope' for mode parameter (at ${REL}.mode)`);
    }
  });

  it('an unexpected failure of the injected reader is reported, not thrown', () => {
    const readFile = () => {
      throw 'disk on fire';
    };
    const relationship = withPeer(loadBalancing(), 1, { 'basic-auth-user': 'u', 'basic-auth-password-file': '/pw' });
    rejected(parseOne(relationship, { readFile }), {
      path: `${REL}.peers[1].basic-auth-password-file`,
      rule: 'basic-auth-password-file',
      text: "bad password file in peer 'server2': disk on fire",
    });
  });
});

/**
 * /work/shared/kea-wire holds no Kea configuration files, only captures. Each scenario's
 * configuration is rebuilt from them (peer URLs from curl-commands.json, mode and roles from
 * status-get) and what the parser derives must agree with what Kea 2.2.0 reported.
 */
const wireRoot = new URL('../../../../shared/kea-wire/', import.meta.url);
const scenarios = existsSync(wireRoot)
  ? readdirSync(wireRoot, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(new URL(`${entry.name}/status-get.ha-section.json`, wireRoot)))
      .map((entry) => entry.name)
  : [];

interface StatusSection {
  readonly 'ha-mode': string;
  readonly 'ha-servers': { readonly local: { readonly role: string }; readonly remote?: { readonly role: string } };
}

describe.skipIf(scenarios.length === 0)('configurations of the captured Kea 2.2.0 scenarios', () => {
  it('all five captured scenarios are present', () => {
    expect(scenarios.sort()).toEqual([
      'hot-standby-ca',
      'hot-standby-dedicated',
      'load-balancing-ca',
      'load-balancing-dedicated',
      'passive-backup-dedicated',
    ]);
  });

  for (const scenario of scenarios) {
    it(`${scenario}: parsed mode, roles and partner match Kea's status-get`, () => {
      const read = (file: string): unknown => JSON.parse(readFileSync(new URL(`${scenario}/${file}`, wireRoot), 'utf8'));
      const status = read('status-get.ha-section.json') as Record<string, readonly StatusSection[]>;
      const curls = read('curl-commands.json') as ReadonlyArray<{ peer: string; url: string }>;
      const urlOf = (peer: string) => curls.find((command) => command.peer === peer)?.url ?? expect.fail(`no URL for ${peer}`);
      const section = (server: string) => status[server]?.[0] ?? expect.fail(`no status for ${server}`);
      const dedicated = scenario.endsWith('-dedicated');

      for (const server of ['server1', 'server2']) {
        const relationship = {
          'this-server-name': server,
          mode: section(server)['ha-mode'],
          peers: ['server1', 'server2'].map((name) => ({ name, url: urlOf(name), role: section(name)['ha-servers'].local.role })),
          'multi-threading': { 'enable-multi-threading': dedicated, 'http-dedicated-listener': dedicated },
        };
        const config: HaConfig = accepted(parseOne(relationship));
        expect(config.thisServer.role).toBe(section(server)['ha-servers'].local.role);
        expect(config.partner?.role).toBe(section(server)['ha-servers'].remote?.role);
        expect(config.thisServer.url.port).toBe(dedicated ? 8001 : 8000);
      }
    });
  }
});
