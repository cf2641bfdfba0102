import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  analyzeQuery4,
  analyzeQuery6,
  clientKey4,
  effectiveSecs,
  emptyUnackedClients,
  failureDetected,
  partnerShouldBeDown,
  unackedClientsLeft,
  type UnackedClients,
} from '../src/communication/failure-detection.js';

const MAX_ACK_DELAY_MS = 10_000;
const MAX_UNACKED = 10;

/** Kea's test messages: MAC of six seed bytes; client-id of seed bytes, none for seed 0. */
const message4 = (hwSeed: number, clientIdSeed: number, secs: number) => ({
  secs,
  chaddr: new Uint8Array(6).fill(hwSeed),
  ...(clientIdSeed === 0 ? {} : { clientId: new Uint8Array(8).fill(clientIdSeed) }),
});

const message6 = (duidSeed: number, elapsedCentis: number) => ({
  elapsedCentis,
  duid: Uint8Array.of(0, 1, 0, 1, ...new Array<number>(10).fill(duidSeed)),
});

const counts = (s: UnackedClients) => ({
  unacked: s.unackedClients,
  connecting: s.connectingClients,
  analyzed: s.analyzedPackets,
});

const feed4 = (s: UnackedClients, hw: number, cid: number, secs: number) => analyzeQuery4(s, message4(hw, cid, secs), MAX_ACK_DELAY_MS);
const feed6 = (s: UnackedClients, duid: number, centis: number) => analyzeQuery6(s, message6(duid, centis), MAX_ACK_DELAY_MS);

describe('DHCPv4 unacked-client analysis (§6.4)', () => {
  it('CS-06..CS-09 and CS-13: detectFailureV4 sequence', () => {
    let s = emptyUnackedClients();
    expect(failureDetected(s, MAX_UNACKED)).toBe(false);
    expect(counts(s)).toEqual({ unacked: 0, connecting: 0, analyzed: 0 });

    // CS-06: ten clients waiting 15 s (half of them without client-id).
    for (let i = 0; i < 10; i++) {
      s = feed4(s, i, i < 5 ? i : 0, 15);
      expect(failureDetected(s, MAX_UNACKED)).toBe(false);
    }
    expect(counts(s)).toEqual({ unacked: 10, connecting: 10, analyzed: 10 });

    // CS-07: the same MACs, now all with a client-id, 9 s: five of them are new clients.
    for (let i = 0; i < 10; i++) {
      s = feed4(s, i, i, 9);
      expect(failureDetected(s, MAX_UNACKED)).toBe(false);
    }
    expect(counts(s)).toEqual({ unacked: 10, connecting: 15, analyzed: 20 });

    // CS-07: a new client below the threshold.
    s = feed4(s, 10, 10, 6);
    expect(failureDetected(s, MAX_UNACKED)).toBe(false);
    expect(counts(s)).toEqual({ unacked: 10, connecting: 16, analyzed: 21 });

    // CS-08: a known unacked client waiting longer changes nothing.
    s = feed4(s, 3, 3, 20);
    expect(failureDetected(s, MAX_UNACKED)).toBe(false);
    expect(counts(s)).toEqual({ unacked: 10, connecting: 16, analyzed: 22 });

    // CS-09: MAC 7 with its client-id, first seen at 9 s, now at 15 s: the 11th unacked client.
    s = feed4(s, 7, 7, 15);
    expect(failureDetected(s, MAX_UNACKED)).toBe(true);
    expect(counts(s)).toEqual({ unacked: 11, connecting: 16, analyzed: 23 });

    // CS-13: a successful heartbeat clears everything.
    s = emptyUnackedClients();
    expect(failureDetected(s, MAX_UNACKED)).toBe(false);
    expect(counts(s)).toEqual({ unacked: 0, connecting: 0, analyzed: 0 });
  });

  it('CS-10 byte-swapped secs: 0x0500 is 5 s, 0x0F00 is 15 s, 0x0501 is 1281 s', () => {
    let s = emptyUnackedClients();
    for (let i = 0; i < 11; i++) {
      s = feed4(s, i, i, 0x0500);
      expect(failureDetected(s, MAX_UNACKED)).toBe(false);
    }
    expect(counts(s)).toEqual({ unacked: 0, connecting: 11, analyzed: 11 });

    for (let i = 0; i < 10; i++) {
      s = feed4(s, i, i, i % 2 === 0 ? 0x0f00 : 0x0501);
      expect(failureDetected(s, MAX_UNACKED)).toBe(false);
    }
    s = feed4(s, 11, 11, 0x30);
    expect(failureDetected(s, MAX_UNACKED)).toBe(true);
    expect(counts(s)).toEqual({ unacked: 11, connecting: 12, analyzed: 22 });
  });

  it('CS-10 the swap applies only above 255 with a zero low byte', () => {
    expect(effectiveSecs(0x0500)).toBe(5);
    expect(effectiveSecs(0x0f00)).toBe(15);
    expect(effectiveSecs(0x0501)).toBe(0x0501);
    expect(effectiveSecs(0x00ff)).toBe(255);
    expect(effectiveSecs(0x0100)).toBe(1);
    expect(effectiveSecs(0)).toBe(0);
  });

  it('the threshold is strict: secs × 1000 must exceed max-ack-delay', () => {
    expect(feed4(emptyUnackedClients(), 1, 0, 10).unackedClients).toBe(0);
    expect(feed4(emptyUnackedClients(), 1, 0, 11).unackedClients).toBe(1);
  });

  it('an absent and an empty client-id are the same client', () => {
    expect(clientKey4(Uint8Array.of(1, 2), undefined)).toBe(clientKey4(Uint8Array.of(1, 2), new Uint8Array(0)));
    let s = analyzeQuery4(emptyUnackedClients(), { secs: 1, chaddr: Uint8Array.of(1, 2) }, MAX_ACK_DELAY_MS);
    s = analyzeQuery4(s, { secs: 1, chaddr: Uint8Array.of(1, 2), clientId: new Uint8Array(0) }, MAX_ACK_DELAY_MS);
    expect(s.connectingClients).toBe(1);
  });

  it('CS-16 two analysed clients, one unacked, leave 10 before failure', () => {
    let s = emptyUnackedClients();
    s = feed4(s, 0, 0, 5);
    s = feed4(s, 1, 0, 15);
    expect(counts(s)).toEqual({ unacked: 1, connecting: 2, analyzed: 2 });
    expect(unackedClientsLeft(s, MAX_UNACKED, true)).toBe(10);
    expect(unackedClientsLeft(s, MAX_UNACKED, false)).toBe(0);
  });

  it('CS-17 a fresh state reports zeros', () => {
    const s = emptyUnackedClients();
    expect(counts(s)).toEqual({ unacked: 0, connecting: 0, analyzed: 0 });
    expect(unackedClientsLeft(s, MAX_UNACKED, false)).toBe(0);
  });

  it('unacked-clients-left is 0 once the threshold is passed', () => {
    let s = emptyUnackedClients();
    for (let i = 1; i <= 11; i++) s = feed4(s, i, 0, 15);
    expect(unackedClientsLeft(s, MAX_UNACKED, true)).toBe(0);
    // With exactly max unacked, one more confirms the failure.
    expect(unackedClientsLeft({ ...s, unackedClients: 10 }, MAX_UNACKED, true)).toBe(1);
  });
});

describe('DHCPv6 unacked-client analysis (§6.4)', () => {
  it('CS-11 and CS-13: detectFailureV6 sequence', () => {
    let s = emptyUnackedClients();
    for (let i = 0; i < 10; i++) {
      s = feed6(s, i, 1500);
      expect(failureDetected(s, MAX_UNACKED)).toBe(false);
    }
    expect(counts(s)).toEqual({ unacked: 10, connecting: 10, analyzed: 10 });

    for (let i = 0; i < 10; i++) {
      s = feed6(s, i, 900);
      expect(failureDetected(s, MAX_UNACKED)).toBe(false);
    }
    expect(counts(s)).toEqual({ unacked: 10, connecting: 10, analyzed: 20 });

    s = feed6(s, 10, 600);
    expect(failureDetected(s, MAX_UNACKED)).toBe(false);
    expect(counts(s)).toEqual({ unacked: 10, connecting: 11, analyzed: 21 });

    s = feed6(s, 3, 2000);
    expect(failureDetected(s, MAX_UNACKED)).toBe(false);
    expect(counts(s)).toEqual({ unacked: 10, connecting: 11, analyzed: 22 });

    s = feed6(s, 11, 1500);
    expect(failureDetected(s, MAX_UNACKED)).toBe(true);
    expect(counts(s)).toEqual({ unacked: 11, connecting: 12, analyzed: 23 });

    s = emptyUnackedClients();
    expect(failureDetected(s, MAX_UNACKED)).toBe(false);
    expect(counts(s)).toEqual({ unacked: 0, connecting: 0, analyzed: 0 });
  });

  it('a message without elapsed time is never unacked; one without DUID is counted but not recorded', () => {
    let s = analyzeQuery6(emptyUnackedClients(), { duid: Uint8Array.of(1, 2, 3) }, MAX_ACK_DELAY_MS);
    expect(counts(s)).toEqual({ unacked: 0, connecting: 1, analyzed: 1 });
    s = analyzeQuery6(s, { elapsedCentis: 5000 }, MAX_ACK_DELAY_MS);
    s = analyzeQuery6(s, { elapsedCentis: 5000, duid: new Uint8Array(0) }, MAX_ACK_DELAY_MS);
    expect(counts(s)).toEqual({ unacked: 0, connecting: 1, analyzed: 3 });
  });

  it('the v6 threshold is strict: centiseconds × 10 must exceed max-ack-delay', () => {
    expect(feed6(emptyUnackedClients(), 1, 1000).unackedClients).toBe(0);
    expect(feed6(emptyUnackedClients(), 1, 1001).unackedClients).toBe(1);
  });
});

describe('failure detection disabled', () => {
  it('CS-12 max-unacked-clients 0 reports failure without any packet (v4 and v6 alike)', () => {
    expect(failureDetected(emptyUnackedClients(), 0)).toBe(true);
    expect(failureDetected(feed6(emptyUnackedClients(), 1, 1), 0)).toBe(true);
  });
});

describe('partner should be down, U2 (§6.5)', () => {
  const none = emptyUnackedClients();
  let eleven = emptyUnackedClients();
  for (let i = 1; i <= 11; i++) eleven = feed4(eleven, i, 0, 15);

  const base = { interrupted: true, dhcpEnabled: true, mode: 'load-balancing', role: 'primary', unacked: none, maxUnackedClients: 10 } as const;

  it('never while communication is not interrupted', () => {
    expect(partnerShouldBeDown({ ...base, interrupted: false, unacked: eleven })).toBe(false);
    expect(partnerShouldBeDown({ ...base, interrupted: false, dhcpEnabled: false })).toBe(false);
    expect(partnerShouldBeDown({ ...base, interrupted: false, maxUnackedClients: 0 })).toBe(false);
  });

  it('LB with DHCP enabled waits for the unacked-client evidence', () => {
    expect(partnerShouldBeDown(base)).toBe(false);
    expect(partnerShouldBeDown({ ...base, unacked: eleven })).toBe(true);
    expect(partnerShouldBeDown({ ...base, role: 'secondary', unacked: eleven })).toBe(true);
    expect(partnerShouldBeDown({ ...base, maxUnackedClients: 0 })).toBe(true);
  });

  it('the HS standby with DHCP enabled judges by traffic too', () => {
    const standby = { ...base, mode: 'hot-standby', role: 'standby' } as const;
    expect(partnerShouldBeDown(standby)).toBe(false);
    expect(partnerShouldBeDown({ ...standby, unacked: eleven })).toBe(true);
  });

  it('the HS primary, or any server with DHCP disabled, trusts the interrupted heartbeats', () => {
    expect(partnerShouldBeDown({ ...base, mode: 'hot-standby', role: 'primary' })).toBe(true);
    expect(partnerShouldBeDown({ ...base, dhcpEnabled: false })).toBe(true);
    expect(partnerShouldBeDown({ ...base, mode: 'hot-standby', role: 'standby', dhcpEnabled: false })).toBe(true);
  });
});

describe('properties', () => {
  const packet4 = fc.record({
    secs: fc.integer({ min: 0, max: 0xffff }),
    chaddr: fc.uint8Array({ minLength: 0, maxLength: 3 }).map((b) => Uint8Array.from(b, (x) => x & 3)),
    clientId: fc.option(fc.uint8Array({ maxLength: 2 }).map((b) => Uint8Array.from(b, (x) => x & 1)), { nil: undefined }),
  });
  const packet6 = fc.record({
    elapsedCentis: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
    duid: fc.option(fc.uint8Array({ maxLength: 2 }).map((b) => Uint8Array.from(b, (x) => x & 3)), { nil: undefined }),
  });
  const maxAck = fc.integer({ min: 0, max: 70_000 });

  test.prop([fc.array(packet4, { maxLength: 80 }), maxAck])(
    'v4: unacked never decreases, connecting ≥ unacked, analysed counts every packet, and the counts match a plain model',
    (packets, maxAckDelayMs) => {
      let s = emptyUnackedClients();
      const model = new Map<string, boolean>();
      for (const p of packets) {
        const before = s;
        s = analyzeQuery4(s, p, maxAckDelayMs);
        expect(s.unackedClients).toBeGreaterThanOrEqual(before.unackedClients);
        expect(s.connectingClients).toBeGreaterThanOrEqual(s.unackedClients);
        const key = clientKey4(p.chaddr, p.clientId);
        model.set(key, (model.get(key) ?? false) || effectiveSecs(p.secs) * 1000 > maxAckDelayMs);
      }
      expect(s.analyzedPackets).toBe(packets.length);
      expect(s.connectingClients).toBe(model.size);
      expect(s.unackedClients).toBe([...model.values()].filter(Boolean).length);
    },
  );

  test.prop([fc.array(packet6, { maxLength: 80 }), maxAck])(
    'v6: unacked never decreases and connecting ≥ unacked',
    (packets, maxAckDelayMs) => {
      let s = emptyUnackedClients();
      for (const p of packets) {
        const before = s;
        s = analyzeQuery6(s, p, maxAckDelayMs);
        expect(s.unackedClients).toBeGreaterThanOrEqual(before.unackedClients);
        expect(s.connectingClients).toBeGreaterThanOrEqual(s.unackedClients);
        expect(s.analyzedPackets).toBe(before.analyzedPackets + 1);
      }
    },
  );

  test.prop([fc.array(packet4, { minLength: 1, maxLength: 40 })])('analysis never alters an earlier value', (packets) => {
    const states: UnackedClients[] = [emptyUnackedClients()];
    for (const p of packets) states.push(analyzeQuery4(states[states.length - 1] as UnackedClients, p, 10_000));
    const snapshot = (s: UnackedClients) => ({ ...counts(s), entries: s.buckets.flatMap((b) => [...b.entries()]) });
    const before = states.map(snapshot);
    // Replaying from every intermediate value must not have touched any of them.
    for (const [i, st] of states.entries()) analyzeQuery4(st, packets[i % packets.length] as (typeof packets)[number], 0);
    expect(states.map(snapshot)).toEqual(before);
    expect(counts(emptyUnackedClients())).toEqual({ unacked: 0, connecting: 0, analyzed: 0 });
  });

  test.prop([fc.nat({ max: 40 }), fc.nat({ max: 40 })])('failure is detected iff unacked > max, or max = 0', (unacked, max) => {
    let s = emptyUnackedClients();
    for (let i = 0; i < unacked; i++) s = analyzeQuery4(s, { secs: 60, chaddr: Uint8Array.of(i, 7) }, 10_000);
    expect(s.unackedClients).toBe(unacked);
    expect(failureDetected(s, max)).toBe(max === 0 || unacked > max);
  });
});
