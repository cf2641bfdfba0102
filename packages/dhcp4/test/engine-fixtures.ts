/** A real engine over a real in-memory lease store, and the contexts the daemon would pass. */
import { MemoryLeaseStore } from '@tandem/leases';
import { AllocationEngine, parseDhcp4ServerConfig, type Dhcp4ServerConfig, type QueryContext } from '../src/index.js';

export const NOW_S = 1_700_000_000;
export const SERVER_ADDRESS = '192.0.2.1';

/** A load-balancing pair's subnet as in Kea's HA chapter, served on eth0. */
export const BASE_CONFIG = {
  'valid-lifetime': 3600,
  'option-data': [
    { name: 'domain-name-servers', data: '192.0.2.53' },
    { name: 'domain-name', data: 'example.org' },
  ],
  subnet4: [
    {
      id: 1,
      subnet: '192.0.2.0/24',
      interface: 'eth0',
      pools: [
        { pool: '192.0.2.10 - 192.0.2.19', 'client-class': 'HA_server1' },
        { pool: '192.0.2.20 - 192.0.2.29', 'client-class': 'HA_server2' },
      ],
      'option-data': [
        { name: 'routers', data: '192.0.2.1' },
        { name: 'ntp-servers', data: '192.0.2.123' },
      ],
    },
    {
      id: 2,
      subnet: '10.20.0.0/16',
      relay: { 'ip-addresses': ['10.99.0.1'] },
      pools: [{ pool: '10.20.1.0 - 10.20.1.255' }],
    },
  ],
};

export function parseConfig(dhcp4: unknown): Dhcp4ServerConfig {
  const result = parseDhcp4ServerConfig(dhcp4, { daemonKeys: new Set() });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

export function makeEngine(dhcp4: unknown = BASE_CONFIG): { engine: AllocationEngine; store: MemoryLeaseStore; config: Dhcp4ServerConfig } {
  const config = parseConfig(dhcp4);
  const store = new MemoryLeaseStore();
  return { engine: new AllocationEngine(config, store), store, config };
}

export function context(overrides: Partial<QueryContext> = {}): QueryContext {
  return {
    nowS: NOW_S,
    classes: ['HA_server1'],
    receivedOn: { interfaceName: 'eth0', localAddress: SERVER_ADDRESS },
    source: { address: '0.0.0.0', port: 68 },
    ...overrides,
  };
}

/** As a relay on 10.99.0.1 would deliver it: unicast from the relay to the server's address. */
export function relayedContext(overrides: Partial<QueryContext> = {}): QueryContext {
  return context({ receivedOn: { interfaceName: 'eth1', localAddress: '10.0.0.2' }, source: { address: '10.99.0.1', port: 67 }, ...overrides });
}
