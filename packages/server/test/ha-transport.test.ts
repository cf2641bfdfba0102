import { describe, expect, it } from 'vitest';
import { parseServerConfig } from '../src/config/server-config.js';

const document = (multiThreading: Record<string, unknown> | undefined, controlSocket = true): unknown => ({
  Dhcp4: {
    ...(controlSocket ? { 'control-socket': { 'socket-type': 'unix', 'socket-name': '/run/kea/kea4-ctrl-socket' } } : {}),
    'hooks-libraries': [
      { library: '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so' },
      {
        library: '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_ha.so',
        parameters: {
          'high-availability': [
            {
              'this-server-name': 'server1',
              mode: 'hot-standby',
              ...(multiThreading !== undefined ? { 'multi-threading': multiThreading } : {}),
              peers: [
                { name: 'server1', url: 'http://127.0.0.1:8001/', role: 'primary' },
                { name: 'server2', url: 'http://127.0.0.2:8001/', role: 'standby' },
              ],
            },
          ],
        },
      },
    ],
  },
});

const transportOf = (multiThreading: Record<string, unknown> | undefined): string | undefined =>
  parseServerConfig(document(multiThreading), 'tandemd.json').daemon.ha?.transport;

describe('who listens at this server\'s peer URL: tandemd or kea-ctrl-agent', () => {
  it('a relationship without multi-threading gets tandemd\'s own listener (tandemd has no agent of its own)', () => {
    expect(transportOf(undefined)).toBe('dedicated-listener');
  });

  it('multi-threading is read as Kea 2.2 reads it: the dedicated listener needs both flags, the defaults are off', () => {
    expect(transportOf({ 'enable-multi-threading': true, 'http-dedicated-listener': true })).toBe('dedicated-listener');
    expect(transportOf({ 'enable-multi-threading': true, 'http-dedicated-listener': false })).toBe('control-agent');
    expect(transportOf({ 'enable-multi-threading': false, 'http-dedicated-listener': true })).toBe('control-agent');
    expect(transportOf({ 'enable-multi-threading': true })).toBe('control-agent');
    expect(transportOf({})).toBe('control-agent');
  });

  it('leaving the URL to kea-ctrl-agent without a control socket for it to forward to is refused, naming the key', () => {
    expect(() => parseServerConfig(document({ 'http-dedicated-listener': false }, false), 'tandemd.json')).toThrow(/\$\.Dhcp4\.control-socket: missing.*kea-ctrl-agent/);
    expect(parseServerConfig(document(undefined, false), 'tandemd.json').daemon.ha?.transport).toBe('dedicated-listener');
  });
});
