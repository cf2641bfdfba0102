import { describe, expect, it } from 'vitest';
import { daemonCommands, type DaemonCommandContext } from '../src/commands/daemon-commands.js';
import { CommandRegistry } from '../src/commands/registry.js';
import { NetworkState, type ServiceTimers } from '../src/service/network-state.js';

/** Timers fired by hand, so max-period behaviour is checked without waiting. */
const manualTimers = () => {
  const pending: Array<{ fn: () => void; ms: number; cancelled: boolean }> = [];
  const timers: ServiceTimers = {
    setTimeout: (fn, ms) => {
      const entry = { fn, ms, cancelled: false };
      pending.push(entry);
      return { cancel: () => (entry.cancelled = true) };
    },
  };
  const fireAll = () => pending.splice(0).forEach((t) => !t.cancelled && t.fn());
  return { timers, pending, fireAll };
};

const setup = () => {
  const clock = manualTimers();
  const state = new NetworkState(clock.timers);
  const calls: string[] = [];
  const ctx: DaemonCommandContext = {
    version: '0.1.0',
    extendedVersion: '0.1.0\ntandemd',
    configJson: () => ({ Dhcp4: { 'valid-lifetime': 4000 } }),
    testConfig: async (dhcp4) => (dhcp4['bad-key'] !== undefined ? "Dhcp4: unsupported parameter 'bad-key'" : undefined),
    status: () => ({ pid: 1, uptime: 0 }),
    reclaimExpired: async (remove) => void calls.push(`reclaim ${remove}`),
    shutdown: (exitValue) => void calls.push(`shutdown ${exitValue}`),
    disableService: (origin, maxPeriodS) => state.disable(origin, maxPeriodS),
    enableService: (origin) => state.enable(origin),
    statistic: (name) => (name === 'pkt4-receive-drop' ? [3, '2024-05-01 10:00:00.250000'] : undefined),
  };
  const registry = new CommandRegistry<DaemonCommandContext>().registerAll(daemonCommands);
  const run = (command: string, args?: unknown) => registry.dispatch(args === undefined ? { command } : { command, arguments: args }, ctx);
  return { run, state, calls, clock };
};

describe('daemon commands (kea-dhcp4 built-ins)', () => {
  it('config-get returns the running configuration as the only member of the answer (no text)', async () => {
    const { run } = setup();
    expect(await run('config-get')).toEqual({ result: 0, arguments: { Dhcp4: { 'valid-lifetime': 4000 } } });
  });

  it('config-test: missing arguments, foreign objects and invalid Dhcp4 are result 1; a valid one is sane', async () => {
    const { run } = setup();
    expect((await run('config-test')).text).toBe("Missing mandatory 'arguments' parameter.");
    expect((await run('config-test', { Dhcp6: {} })).text).toBe("Missing mandatory 'Dhcp4' parameter.");
    expect((await run('config-test', { Dhcp4: [] })).text).toBe("'Dhcp4' parameter expected to be a map.");
    expect((await run('config-test', { Dhcp4: {}, Dhcp6: {}, Control: {} })).text).toBe("Unsupported 'Dhcp6' parameter (and 'Control').");
    expect(await run('config-test', { Dhcp4: { 'bad-key': 1 } })).toEqual({ result: 1, text: "Dhcp4: unsupported parameter 'bad-key'" });
    expect((await run('config-test', { Dhcp4: {} })).text).toMatch(/^Configuration seems sane/);
  });

  it('leases-reclaim requires a boolean remove', async () => {
    const { run, calls } = setup();
    expect((await run('leases-reclaim')).text).toBe("Missing mandatory 'remove' parameter.");
    expect((await run('leases-reclaim', { remove: 'yes' })).text).toBe("'remove' parameter expected to be a boolean.");
    expect(await run('leases-reclaim', { remove: true })).toEqual({ result: 0, text: 'Reclamation of expired leases is complete.' });
    expect(calls).toEqual(['reclaim true']);
  });

  it('shutdown answers "Shutting down." and passes exit-value on; a non-integer exit-value is refused', async () => {
    const { run, calls } = setup();
    expect((await run('shutdown', { 'exit-value': 'x' })).text).toBe("parameter 'exit-value' is not an integer");
    expect(await run('shutdown', { 'exit-value': 3 })).toEqual({ result: 0, text: 'Shutting down.' });
    expect(calls).toEqual(['shutdown 3']);
  });

  it('version-get carries the short version as text and the long one in arguments.extended', async () => {
    const { run } = setup();
    expect(await run('version-get')).toEqual({ result: 0, text: '0.1.0', arguments: { extended: '0.1.0\ntandemd' } });
  });

  it('§11 dhcp-disable origin ha-partner with max-period disables until the timer fires; user marker is independent', async () => {
    const { run, state, clock } = setup();
    expect(await run('dhcp-disable', { origin: 'ha-partner', 'max-period': 60 })).toEqual({ result: 0, text: 'DHCPv4 service disabled for 60 seconds' });
    expect(state.isEnabled()).toBe(false);
    expect(clock.pending[0]?.ms).toBe(60_000);
    expect(await run('dhcp-disable')).toEqual({ result: 0, text: 'DHCPv4 service disabled' });
    clock.fireAll();
    expect(state.isEnabled()).toBe(false);
    // A user enable does not undo an HA disable, and vice versa (spec §11).
    await run('dhcp-enable', { origin: 'ha-partner' });
    expect(state.isEnabled()).toBe(false);
    expect(await run('dhcp-enable')).toEqual({ result: 0, text: 'DHCP service successfully enabled' });
    expect(state.isEnabled()).toBe(true);
  });

  it('§8.12 dhcp-disable/enable refuse an unknown origin and a non-positive max-period with Kea 2.2 texts', async () => {
    const { run, state } = setup();
    expect((await run('dhcp-disable', { origin: 'other' })).text).toBe("invalid value used for 'origin' parameter: other");
    expect((await run('dhcp-disable', { origin: '' })).text).toBe("invalid value used for 'origin' parameter: (empty string)");
    expect((await run('dhcp-disable', { origin: 2000 })).text).toBe("'origin' argument must be a string");
    expect((await run('dhcp-disable', { 'max-period': 0 })).text).toBe("'max-period' must be positive integer");
    expect((await run('dhcp-enable', [])).text).toBe("arguments for the 'dhcp-enable' command must be a map");
    // Kea 2.2 ignores keys it does not know, such as HEAD's origin-id.
    expect((await run('dhcp-disable', { origin: 'ha-partner', 'origin-id': 2000 })).result).toBe(0);
    expect(state.isEnabled()).toBe(false);
  });

  it("statistic-get answers Kea's shape: the latest sample by name, an empty map for a statistic not kept", async () => {
    const { run } = setup();
    expect(await run('statistic-get', { name: 'pkt4-receive-drop' })).toEqual({
      result: 0,
      arguments: { 'pkt4-receive-drop': [[3, '2024-05-01 10:00:00.250000']] },
    });
    expect(await run('statistic-get', { name: 'pkt4-nak-sent' })).toEqual({ result: 0, arguments: {} });
    expect(await run('statistic-get')).toEqual({ result: 1, text: "Missing mandatory 'name' parameter." });
    expect(await run('statistic-get', { name: 7 })).toEqual({ result: 1, text: "'name' parameter expected to be a string." });
  });

  it('list-commands includes every daemon command Kea-ctrl-agent relays', async () => {
    const { run } = setup();
    const names = (await run('list-commands')).arguments as string[];
    for (const name of ['config-get', 'config-test', 'dhcp-disable', 'dhcp-enable', 'leases-reclaim', 'list-commands', 'shutdown', 'statistic-get', 'status-get', 'version-get']) {
      expect(names).toContain(name);
    }
  });
});
