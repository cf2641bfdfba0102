/**
 * Random interleavings of many clients' DISCOVER/REQUEST/RELEASE/DECLINE (some concurrent),
 * with time passing and reclamation, against the real in-memory lease store. After every step:
 * no two clients hold unexpired ACKs for one address, every unexpired ACK is still the client's
 * lease in the store, no client has two leases, and every offered or acknowledged address lies
 * in a pool the query's classes allow (or is the client's own reservation).
 */
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { leaseExpire } from '@tandem/leases';
import {
  leaseBelongsToClient,
  leaseTimeS,
  MessageType,
  messageType,
  parseIpv4,
  serverIdentifier,
  type ProcessResult,
} from '../src/index.js';
import { context, makeEngine, NOW_S, SERVER_ADDRESS } from './engine-fixtures.js';
import { decline, discover, release, request } from './packets.js';

const CONFIG = {
  'valid-lifetime': 60,
  'decline-probation-period': 30,
  'expired-leases-processing': { 'flush-reclaimed-timer-wait-time': 25, 'hold-reclaimed-time': 20 },
  subnet4: [
    {
      id: 1,
      subnet: '192.0.2.0/24',
      interface: 'eth0',
      pools: [
        { pool: '192.0.2.10 - 192.0.2.15', 'client-class': 'HA_server1' },
        { pool: '192.0.2.20 - 192.0.2.25', 'client-class': 'HA_server2' },
        { pool: '192.0.2.30 - 192.0.2.31' },
      ],
      reservations: [
        { 'hw-address': '0a:00:00:00:00:00', 'ip-address': '192.0.2.100' },
        { 'client-id': '01:00:00:00:00:00:01', 'ip-address': '192.0.2.12' },
      ],
    },
  ],
};
const POOLS = [
  { first: parseIpv4('192.0.2.10')!, last: parseIpv4('192.0.2.15')!, clientClass: 'HA_server1' as string | undefined },
  { first: parseIpv4('192.0.2.20')!, last: parseIpv4('192.0.2.25')!, clientClass: 'HA_server2' as string | undefined },
  { first: parseIpv4('192.0.2.30')!, last: parseIpv4('192.0.2.31')!, clientClass: undefined },
];
const RESERVED: Record<string, number> = { '192.0.2.100': 0, '192.0.2.12': 1 };
const CLIENT_COUNT = 14;
const ADDRESSES = ['192.0.2.5', '192.0.2.10', '192.0.2.12', '192.0.2.14', '192.0.2.21', '192.0.2.25', '192.0.2.30', '192.0.2.100', '192.0.2.200'];

interface Client {
  readonly mac: string;
  readonly clientId?: string;
}
const CLIENTS: Client[] = Array.from({ length: CLIENT_COUNT }, (_, i) => ({
  mac: `0a:00:00:00:00:${i.toString(16).padStart(2, '0')}`,
  // Odd clients identify themselves by client identifier as well.
  ...(i % 2 === 1 && { clientId: `01:00:00:00:00:00:${i.toString(16).padStart(2, '0')}` }),
}));

type OpKind = 'obtain' | 'discover' | 'select' | 'init-reboot' | 'renew' | 'release' | 'decline';
interface Op {
  readonly kind: OpKind;
  readonly client: number;
  readonly classes: readonly string[];
  readonly address: string;
}
interface Step {
  readonly advanceS: number;
  readonly reclaim: boolean;
  readonly ops: readonly Op[];
}

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom<OpKind>('obtain', 'obtain', 'discover', 'select', 'init-reboot', 'renew', 'renew', 'release', 'decline'),
  client: fc.integer({ min: 0, max: CLIENT_COUNT - 1 }),
  classes: fc.constantFrom<readonly string[]>(['HA_server1'], ['HA_server1'], ['HA_server2'], ['HA_server2'], []),
  address: fc.constantFrom(...ADDRESSES),
});
const stepArb: fc.Arbitrary<Step> = fc.record({
  advanceS: fc.integer({ min: 0, max: 25 }),
  reclaim: fc.boolean(),
  ops: fc.array(opArb, { minLength: 1, maxLength: 4 }),
});

/** What a client believes it holds: its last ACK, until it gives it up, is NAKed, or it expires. */
interface Belief {
  readonly address: string;
  readonly expiresAtS: number;
}

function offeredAddressIsAllowed(address: string, op: Op): boolean {
  const value = parseIpv4(address)!;
  if (RESERVED[address] === op.client) return true;
  return POOLS.some((p) => value >= p.first && value <= p.last && (p.clientClass === undefined || op.classes.includes(p.clientClass)));
}

describe('allocation engine properties', () => {
  test.prop([fc.array(stepArb, { minLength: 1, maxLength: 35 })], { numRuns: 60 })(
    'never hands one address to two clients, and only from pools the classes allow',
    async (steps) => {
      const { engine, store } = makeEngine(CONFIG);
      const beliefs = new Map<number, Belief>();
      let nowS = NOW_S;

      const checkAnswer = (result: ProcessResult, op: Op): void => {
        if (result.kind !== 'respond') return;
        const type = messageType(result.response);
        if (type !== MessageType.OFFER && type !== MessageType.ACK) return;
        const address = result.response.yiaddr;
        expect(offeredAddressIsAllowed(address, op), `${address} given to client ${op.client} with classes ${op.classes}`).toBe(true);
      };

      const run = async (op: Op): Promise<void> => {
        const client = CLIENTS[op.client]!;
        const ctx = context({ nowS, classes: op.classes });
        const who = { mac: client.mac, ...(client.clientId !== undefined && { clientId: client.clientId }) };
        const belief = beliefs.get(op.client);
        const acknowledged = (result: ProcessResult) => {
          checkAnswer(result, op);
          if (result.kind !== 'respond') return;
          const type = messageType(result.response);
          if (type === MessageType.ACK) {
            beliefs.set(op.client, { address: result.response.yiaddr, expiresAtS: nowS + leaseTimeS(result.response)! });
          } else if (type === MessageType.NAK) {
            beliefs.delete(op.client);
          }
        };
        switch (op.kind) {
          case 'obtain': {
            const offer = await engine.process(discover(who), ctx);
            checkAnswer(offer, op);
            if (offer.kind !== 'respond') return;
            const serverId = serverIdentifier(offer.response)!;
            acknowledged(await engine.process(request({ ...who, requested: offer.response.yiaddr, serverId }), ctx));
            return;
          }
          case 'discover':
            checkAnswer(await engine.process(discover({ ...who, requested: op.address }), ctx), op);
            return;
          case 'select':
            acknowledged(await engine.process(request({ ...who, requested: op.address, serverId: SERVER_ADDRESS }), ctx));
            return;
          case 'init-reboot':
            acknowledged(await engine.process(request({ ...who, requested: belief?.address ?? op.address }), ctx));
            return;
          case 'renew':
            acknowledged(await engine.process(request({ ...who, ciaddr: belief?.address ?? op.address }), ctx));
            return;
          case 'release':
          case 'decline': {
            const address = belief?.address ?? op.address;
            // The client gives the address up whatever the server makes of it.
            if (belief?.address === address) beliefs.delete(op.client);
            const query = op.kind === 'release' ? release({ ...who, ciaddr: address }) : decline({ ...who, requested: address });
            await engine.process(query, ctx);
            return;
          }
        }
      };

      for (const step of steps) {
        nowS += step.advanceS;
        if (step.reclaim) await engine.reclaimExpired(nowS, 5);
        await Promise.all(step.ops.map(run));

        // No two clients hold unexpired ACKs for one address.
        const holders = new Map<string, number>();
        for (const [client, belief] of beliefs) {
          if (belief.expiresAtS < nowS) continue;
          const other = holders.get(belief.address);
          expect(other, `${belief.address} held by clients ${other} and ${client}`).toBeUndefined();
          holders.set(belief.address, client);
          // And the server agrees that the lease is theirs.
          const lease = await store.get(belief.address);
          expect(lease, `lease of client ${client} at ${belief.address}`).toBeDefined();
          const c = CLIENTS[client]!;
          expect(leaseBelongsToClient(lease!, c.mac, c.clientId)).toBe(true);
          expect(leaseExpire(lease!)).toBeGreaterThanOrEqual(belief.expiresAtS);
        }
        // No client has two leases.
        const leases = await store.page('start', 1000);
        for (const c of CLIENTS) {
          const own = leases.filter((l) => l.hwAddress !== '' && leaseBelongsToClient(l, c.mac, c.clientId));
          expect(own.length, `leases of ${c.mac}: ${own.map((l) => l.address)}`).toBeLessThanOrEqual(1);
        }
      }
    },
  );
});
