/**
 * Per-packet cost of the codec and of one DISCOVER/REQUEST exchange against the in-memory store.
 * Run: npx vitest bench --run packages/dhcp4/bench
 */
import { bench, describe } from 'vitest';
import { MemoryLeaseStore } from '@tandem/leases';
import { AllocationEngine, decodePacket, encodePacket, parseDhcp4ServerConfig, type QueryContext } from '../src/index.js';
import { buildQuery } from '../test/packets.js';

const query = buildQuery({
  type: 3,
  mac: '0a:0b:0c:0d:0e:0f',
  clientId: '01:0a:0b:0c:0d:0e:0f',
  requested: '192.0.2.10',
  serverId: '192.0.2.1',
  hostname: 'laptop',
  prl: [1, 3, 6, 15, 28, 42, 119],
  giaddr: '10.0.0.1',
  relay: [{ code: 1, data: Uint8Array.of(1, 2, 3, 4) }, { code: 2, data: Uint8Array.of(5, 6) }],
});
const wire = encodePacket(query);

describe('codec', () => {
  bench('decodePacket (relayed DHCPREQUEST, 9 options)', () => {
    decodePacket(wire);
  });
  bench('encodePacket (same packet)', () => {
    encodePacket(query);
  });
});

const parsed = parseDhcp4ServerConfig(
  {
    'valid-lifetime': 3600,
    subnet4: [
      {
        id: 1,
        subnet: '10.0.0.0/16',
        interface: 'eth0',
        pools: [{ pool: '10.0.0.10 - 10.0.255.250', 'client-class': 'HA_server1' }],
        'option-data': [{ name: 'routers', data: '10.0.0.1' }, { name: 'domain-name-servers', data: '10.0.0.53' }],
      },
    ],
  },
  { daemonKeys: new Set() },
);
if (!parsed.ok) throw new Error(parsed.error.message);
const engine = new AllocationEngine(parsed.value, new MemoryLeaseStore());
let clientNumber = 0;
const context: QueryContext = {
  nowS: 1_700_000_000,
  classes: ['HA_server1'],
  receivedOn: { interfaceName: 'eth0', localAddress: '10.0.0.2' },
  source: { address: '0.0.0.0', port: 68 },
};

describe('engine', () => {
  bench('DISCOVER + REQUEST of a new client (decode, process, encode)', async () => {
    const n = clientNumber++;
    const mac = `0a:00:${((n >>> 24) & 255).toString(16)}:${((n >>> 16) & 255).toString(16)}:${((n >>> 8) & 255).toString(16)}:${(n & 255).toString(16)}`;
    const discover = decodePacket(encodePacket(buildQuery({ type: 1, mac, prl: [1, 3, 6] })));
    if (!discover.ok) throw new Error('bad discover');
    const offer = await engine.process(discover.packet, context);
    if (offer.kind !== 'respond') throw new Error(offer.reason);
    encodePacket(offer.response);
    const request = decodePacket(encodePacket(buildQuery({ type: 3, mac, requested: offer.response.yiaddr, serverId: '10.0.0.2' })));
    if (!request.ok) throw new Error('bad request');
    const ack = await engine.process(request.packet, context);
    if (ack.kind !== 'respond') throw new Error(ack.reason);
    encodePacket(ack.response);
  });
});
