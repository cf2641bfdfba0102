/** Label conversions (CFG-32), multi-threading resolution (CFG-31), subnet server names (CFG-36). */
import { describe, expect, it } from 'vitest';
import {
  dedicatedListenerActive,
  HA_MODES,
  haModeToString,
  PAUSABLE_LABELS,
  PAUSE_MODES,
  PEER_ROLES,
  pausingToString,
  resolveMultiThreading,
  roleToString,
  STATE_LABELS,
  stringToHaMode,
  stringToPausing,
  stringToRole,
  stringToStateLabel,
  subnetServerName,
  type MultiThreadingConfig,
} from '../src/config/index.js';

describe('CFG-32 role, mode and pause labels', () => {
  it('CFG-32 role strings round-trip for exactly the four roles', () => {
    expect(PEER_ROLES).toEqual(['primary', 'secondary', 'standby', 'backup']);
    for (const text of PEER_ROLES) expect(roleToString(stringToRole(text))).toBe(text);
  });

  it('CFG-32 mode strings round-trip for exactly the three modes', () => {
    expect(HA_MODES).toEqual(['load-balancing', 'hot-standby', 'passive-backup']);
    for (const text of HA_MODES) expect(haModeToString(stringToHaMode(text))).toBe(text);
  });

  it('CFG-32 pause strings round-trip for always, once and never', () => {
    expect(PAUSE_MODES).toEqual(['always', 'once', 'never']);
    for (const text of PAUSE_MODES) expect(pausingToString(stringToPausing(text))).toBe(text);
  });

  it('CFG-32 state labels are the twelve states plus unavailable', () => {
    expect(PAUSABLE_LABELS).toEqual([...STATE_LABELS, 'unavailable']);
    expect(PAUSABLE_LABELS).toHaveLength(13);
    for (const label of PAUSABLE_LABELS) expect(stringToStateLabel(label)).toBe(label);
  });

  it('CFG-32 anything else is refused with Kea texts; spelling is exact', () => {
    expect(() => stringToRole('Primary')).toThrow("unsupported value 'Primary' for role parameter");
    expect(() => stringToRole(' primary')).toThrow("unsupported value ' primary' for role parameter");
    expect(() => stringToHaMode('hot_standby')).toThrow("unsupported value 'hot_standby' for mode parameter");
    expect(() => stringToPausing('sometimes')).toThrow("unsupported value sometimes of 'pause' parameter");
    expect(() => stringToStateLabel('partner_down')).toThrow('unknown state partner_down');
  });
});

describe('CFG-31 multi-threading permutations', () => {
  const configured = (enable: boolean, listener: boolean, listenerThreads: number, clientThreads: number): MultiThreadingConfig => ({
    enableMultiThreading: enable,
    httpDedicatedListener: listener,
    httpListenerThreads: listenerThreads,
    httpClientThreads: clientThreads,
  });

  for (const dhcpMt of [false, true]) {
    for (const haMt of [false, true]) {
      for (const listener of [false, true]) {
        for (const [poolSize, threads] of [
          [0, 0],
          [4, 0],
          [4, 3],
          [0, 7],
        ] as const) {
          it(`CFG-31 DHCP MT ${dhcpMt}, HA MT ${haMt}, listener ${listener}, pool ${poolSize}, HA threads ${threads}`, () => {
            const effective = resolveMultiThreading(configured(haMt, listener, threads, threads), {
              multiThreading: dhcpMt,
              threadPoolSize: poolSize,
              detectedThreadCount: 2,
            });
            const on = haMt && dhcpMt;
            expect(effective.enableMultiThreading).toBe(on);
            expect(effective.httpDedicatedListener).toBe(listener);
            expect(dedicatedListenerActive(effective)).toBe(on && listener);
            // 0 threads means "as many as DHCP uses", detected when the pool size is 0 too.
            const dhcpThreads = poolSize > 0 ? poolSize : 2;
            const expectedThreads = on && threads === 0 ? dhcpThreads : threads;
            expect(effective.httpListenerThreads).toBe(expectedThreads);
            expect(effective.httpClientThreads).toBe(expectedThreads);
          });
        }
      }
    }
  }

  it('CFG-31 HA multi-threading is switched off when the thread count cannot be detected', () => {
    const effective = resolveMultiThreading(configured(true, true, 0, 0), { multiThreading: true, threadPoolSize: 0, detectedThreadCount: 0 });
    expect(effective.enableMultiThreading).toBe(false);
    expect(dedicatedListenerActive(effective)).toBe(false);
  });
});

describe('CFG-36 ha-server-name in subnet and shared-network user contexts', () => {
  it('CFG-36 the subnet level wins over the shared network', () => {
    expect(subnetServerName({ 'ha-server-name': 'server1' }, { 'ha-server-name': 'server3' })).toEqual({ ok: true, serverName: 'server1' });
  });

  it('CFG-36 the shared network supplies the name when the subnet has none', () => {
    expect(subnetServerName({ other: 1 }, { 'ha-server-name': 'server3' })).toEqual({ ok: true, serverName: 'server3' });
    expect(subnetServerName(undefined, { 'ha-server-name': 'server3' })).toEqual({ ok: true, serverName: 'server3' });
  });

  it('CFG-36 no name at either level', () => {
    expect(subnetServerName(undefined)).toEqual({ ok: true, serverName: undefined });
    expect(subnetServerName({}, {})).toEqual({ ok: true, serverName: undefined });
  });

  for (const value of ['', 7, null, ['server1']]) {
    it(`CFG-36 ha-server-name ${JSON.stringify(value)} is refused`, () => {
      const result = subnetServerName({ 'ha-server-name': value }, { 'ha-server-name': 'server3' });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toContain('must be a non-empty string');
    });
  }
});
