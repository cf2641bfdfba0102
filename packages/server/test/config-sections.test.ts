import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli-args.js';
import { ConfigError, type ConfigWarning } from '../src/config/config-error.js';
import { parseControlSocket } from '../src/config/control-socket.js';
import { DAEMON_KEYS, checkDaemonOnlyKeys } from '../src/config/daemon-keys.js';
import { parseHooksLibraries } from '../src/config/hooks-libraries.js';
import { parseInterfacesConfig } from '../src/config/interfaces-config.js';
import { parseKeaJson, stripKeaComments } from '../src/config/kea-json.js';
import { DEFAULT_LEASE_FILE, parseLeaseDatabase } from '../src/config/lease-database.js';
import { parseLoggers } from '../src/config/loggers.js';
import { bindAddressFor, ownAddresses, receivingInterface, selectInterfaces } from '../src/dhcp/local-interfaces.js';
import { finalDestination } from '../src/dhcp/reply-destination.js';

const warningsOf = (fn: (w: ConfigWarning[]) => unknown): ConfigWarning[] => {
  const warnings: ConfigWarning[] = [];
  fn(warnings);
  return warnings;
};

describe('Kea-flavoured JSON', () => {
  it('strips #, // and /* */ comments but not comment-like text inside strings', () => {
    const text = `{ # hash\n "a": "x # y // z /* w */", // slash\n /* block\n */ "b": 1 }`;
    expect(parseKeaJson(text, 'f')).toEqual({ a: 'x # y // z /* w */', b: 1 });
    expect(stripKeaComments('/*a\nb*/1').split('\n')).toHaveLength(2);
  });

  it('refuses <?include?> and reports invalid JSON with the file name', () => {
    expect(() => parseKeaJson('<?include "x.json"?>', 'f.json')).toThrow(/include/);
    expect(() => parseKeaJson('{ "a": }', 'f.json')).toThrow(/^f\.json: not valid JSON/);
  });
});

describe('daemon-owned Dhcp4 sections', () => {
  it('interfaces-config: names, name/address and *; dhcp-socket-type raw is accepted with one warning', () => {
    const warnings = warningsOf((w) =>
      expect(parseInterfacesConfig({ interfaces: ['eth0', 'eth1/192.0.2.1', '*'], 'dhcp-socket-type': 'raw' }, '$.Dhcp4.interfaces-config', w)).toEqual({
        interfaces: [{ kind: 'interface', name: 'eth0' }, { kind: 'interface', name: 'eth1', address: '192.0.2.1' }, { kind: 'all' }],
      }),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.text).toMatch(/UDP socket/);
    expect(() => parseInterfacesConfig({ interfaces: ['eth0'], 'bogus-key': 1 }, '$.Dhcp4.interfaces-config', [])).toThrow(
      "$.Dhcp4.interfaces-config: unsupported parameter 'bogus-key'",
    );
  });

  it('lease-database: memfile with Kea defaults; other backends and SQL keys refused by name', () => {
    expect(parseLeaseDatabase(undefined, 'p', [])).toEqual({ type: 'memfile', path: DEFAULT_LEASE_FILE, persist: true, lfcIntervalS: 3600 });
    expect(parseLeaseDatabase({ type: 'memfile', name: '/tmp/l.csv', persist: false, 'lfc-interval': 0 }, 'p', [])).toEqual({
      type: 'memfile',
      path: '/tmp/l.csv',
      persist: false,
      lfcIntervalS: 0,
    });
    expect(() => parseLeaseDatabase({ type: 'mysql' }, '$.Dhcp4.lease-database', [])).toThrow(/'mysql' is not supported/);
    expect(() => parseLeaseDatabase({ type: 'memfile', host: 'db' }, '$.Dhcp4.lease-database', [])).toThrow(/'host' not supported/);
  });

  it('control-socket: unix only, socket-name required', () => {
    expect(parseControlSocket({ 'socket-type': 'unix', 'socket-name': '/run/kea/s' }, 'p')).toEqual({ type: 'unix', path: '/run/kea/s' });
    expect(parseControlSocket(undefined, 'p')).toBeUndefined();
    expect(() => parseControlSocket({ 'socket-type': 'http', 'socket-name': 'x' }, 'p')).toThrow(/only 'unix'/);
    expect(() => parseControlSocket({ 'socket-type': 'unix' }, 'p')).toThrow(/'socket-name'/);
  });

  it('hooks-libraries: lease_cmds and ha are built in (ha parameters kept); any other library is refused by name', () => {
    const parameters = { 'high-availability': [{ 'this-server-name': 'server1' }] };
    expect(
      parseHooksLibraries(
        [{ library: '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so' }, { library: '/usr/lib/kea/hooks/libdhcp_ha.so', parameters }],
        'p',
      ),
    ).toEqual([
      { kind: 'lease-cmds', library: '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so' },
      { kind: 'high-availability', library: '/usr/lib/kea/hooks/libdhcp_ha.so', parameters },
    ]);
    expect(() => parseHooksLibraries([{ library: '/usr/lib/kea/hooks/libdhcp_stat_cmds.so' }], '$.Dhcp4.hooks-libraries')).toThrow(
      "$.Dhcp4.hooks-libraries[0].library: hook library '/usr/lib/kea/hooks/libdhcp_stat_cmds.so' is not supported",
    );
  });

  it('loggers: kea-dhcp4 severity and first output; syslog accepted with a warning; foreign loggers refused', () => {
    expect(parseLoggers([{ name: 'kea-dhcp4', severity: 'DEBUG', output_options: [{ output: '/tmp/t.log' }] }], 'p', [])).toEqual({
      severity: 'debug',
      output: { kind: 'file', path: '/tmp/t.log' },
    });
    const warnings = warningsOf((w) => parseLoggers([{ name: 'kea-dhcp4', output_options: [{ output: 'syslog' }] }], 'p', w));
    expect(warnings.map((w) => w.text).join()).toMatch(/instead of syslog/);
    expect(() => parseLoggers([{ name: 'kea-dhcp6' }], 'p', [])).toThrow(/not a logger of kea-dhcp4/);
    expect(() => parseLoggers([{ name: 'kea-dhcp4', severity: 'LOUD' }], 'p', [])).toThrow(/'LOUD'/);
  });

  it('tuning keys are accepted with one warning each; unsupported features and enabled DDNS are refused', () => {
    const warnings = warningsOf((w) =>
      checkDaemonOnlyKeys({ 'multi-threading': { 'enable-multi-threading': true }, 'sanity-checks': {}, 'dhcp-ddns': { 'enable-updates': false } }, '$.Dhcp4', w),
    );
    expect(warnings.map((w) => w.path)).toEqual(['$.Dhcp4.multi-threading', '$.Dhcp4.sanity-checks', '$.Dhcp4.dhcp-ddns']);
    expect(() => checkDaemonOnlyKeys({ 'hosts-database': {} }, 'Dhcp4', [])).toThrow(ConfigError);
    expect(() => checkDaemonOnlyKeys({ 'dhcp-ddns': { 'enable-updates': true } }, 'Dhcp4', [])).toThrow(/DNS updates/);
    for (const key of ['interfaces-config', 'lease-database', 'control-socket', 'hooks-libraries', 'loggers', 'multi-threading']) {
      expect(DAEMON_KEYS.has(key)).toBe(true);
    }
    expect(DAEMON_KEYS.has('subnet4')).toBe(false);
  });
});

describe('interfaces and answer destinations', () => {
  const table = {
    lo: [{ family: 'IPv4', address: '127.0.0.1', netmask: '255.0.0.0', internal: true }],
    veth0: [{ family: 'IPv4', address: '198.18.0.1', netmask: '255.255.0.0', internal: false }],
    veth1: [{ family: 'IPv4', address: '203.0.113.1', netmask: '255.255.255.0', internal: false }],
  };

  it('refuses interfaces that do not exist; binds loopback only for a loopback-only service', () => {
    expect(() => selectInterfaces([{ kind: 'interface', name: 'eth9' }], table)).toThrow("interface 'eth9' does not exist");
    expect(bindAddressFor(selectInterfaces([{ kind: 'interface', name: 'lo' }], table))).toBe('127.0.0.1');
    expect(bindAddressFor(selectInterfaces([{ kind: 'all' }], table))).toBe('0.0.0.0');
  });

  it('a server identifier is ours when it names any address of an interface configured by name, only the named one for name/address, any non-loopback one for *', () => {
    const multi = { ...table, veth0: [...table.veth0, { family: 'IPv4', address: '198.18.9.1', netmask: '255.255.0.0', internal: false }] };
    expect([...ownAddresses([{ kind: 'interface', name: 'veth0' }], multi)].sort()).toEqual(['198.18.0.1', '198.18.9.1']);
    expect([...ownAddresses([{ kind: 'interface', name: 'veth0', address: '198.18.9.1' }], multi)]).toEqual(['198.18.9.1']);
    expect([...ownAddresses([{ kind: 'all' }], multi)].sort()).toEqual(['198.18.0.1', '198.18.9.1', '203.0.113.1']);
    // The engine's option 54 is the first address of the receiving interface: always among them.
    expect(ownAddresses([{ kind: 'interface', name: 'veth0' }], multi).has(selectInterfaces([{ kind: 'interface', name: 'veth0' }], multi)[0]!.address)).toBe(true);
  });

  it('infers the receiving interface from an on-link sender when several are configured', () => {
    const both = selectInterfaces([{ kind: 'interface', name: 'veth0' }, { kind: 'interface', name: 'veth1' }], table);
    expect(receivingInterface(both, '203.0.113.77')?.name).toBe('veth1');
    expect(receivingInterface(both, '0.0.0.0')?.name).toBe('veth0');
  });

  it('RFC 2131 §4.1 destinations kept on port 67; on a test port relays are answered at their source port', () => {
    const relayed = { address: '198.18.0.2', port: 67, broadcast: false };
    expect(finalDestination(relayed, { giaddr: '198.18.0.2' }, { address: '198.18.0.2', port: 67 }, 67)).toEqual(relayed);
    expect(finalDestination(relayed, { giaddr: '198.18.0.2' }, { address: '198.18.0.2', port: 40000 }, 10067)).toEqual({ ...relayed, port: 40000 });
    const direct = { address: '255.255.255.255', port: 68, broadcast: true };
    expect(finalDestination(direct, { giaddr: '0.0.0.0' }, { address: '0.0.0.0', port: 68 }, 10067)).toEqual(direct);
  });
});

describe('tandemd command line', () => {
  it('accepts kea-dhcp4 style -c/-p/-t and rejects what it does not know', () => {
    expect(parseCliArgs(['-c', 'k.json', '-p', '10067'])).toEqual({ kind: 'run', configPath: 'k.json', port: 10067 });
    expect(parseCliArgs(['-t', 'k.json'])).toEqual({ kind: 'test', configPath: 'k.json' });
    expect(parseCliArgs(['-c', 'k.json', '-t'])).toEqual({ kind: 'test', configPath: 'k.json' });
    expect(parseCliArgs(['-p', '0', '-c', 'k'])).toMatchObject({ kind: 'usage' });
    expect(parseCliArgs(['-x'])).toEqual({ kind: 'usage', error: "unknown argument '-x'" });
    expect(parseCliArgs([])).toMatchObject({ kind: 'usage', error: 'no configuration file given (-c file)' });
  });
});
