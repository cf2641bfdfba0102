import { describe, expect, it } from 'vitest';
import type { Lease4Record } from '@tandem/core';
import { isLeaseActive, leasePage, mergeNewer, putLease, emptyStore } from '../src/lease-store-model.js';
import { cutLink, isCut, newNetwork } from '../src/network.js';
import { machineNow, freshClock, jumpClock, EPOCH_MS } from '../src/clock.js';
import { parseDuration } from '../src/duration.js';
import { Prng } from '../src/prng.js';

const lease = (address: string, hw: string, clttS: number): Lease4Record => ({
  address,
  hwAddress: hw,
  validLifetimeS: 100,
  clttS,
  subnetId: 1,
  fqdnFwd: false,
  fqdnRev: false,
  hostname: '',
  state: 0,
});

describe('the pieces of the cluster model', () => {
  it('SY-01 the sync merge keeps the local lease unless the received one has a strictly newer cltt, and never deletes', () => {
    let store = putLease(emptyStore(), lease('10.0.1.10', 'aa', 500));
    expect(mergeNewer(store, lease('10.0.1.10', 'bb', 500)).applied).toBe(false);
    const merged = mergeNewer(store, lease('10.0.1.10', 'bb', 501));
    expect(merged.applied).toBe(true);
    store = mergeNewer(merged.store, lease('10.0.1.11', 'cc', 1)).store;
    expect([...store.values()].map((l) => `${l.address}=${l.hwAddress}`)).toEqual(['10.0.1.10=bb', '10.0.1.11=cc']);
  });

  it('lease4-get-page returns addresses strictly after `from`, in numeric order, at most `limit`', () => {
    let store = emptyStore();
    for (const a of ['10.0.1.100', '10.0.1.9', '10.0.1.20', '10.0.2.1']) store = putLease(store, lease(a, 'aa', 1));
    expect(leasePage(store, 'start', 2).map((l) => l.address)).toEqual(['10.0.1.9', '10.0.1.20']);
    expect(leasePage(store, '10.0.1.20', 10).map((l) => l.address)).toEqual(['10.0.1.100', '10.0.2.1']);
  });

  it("a lease binds its address until its expiration time is strictly in the past (Kea's Lease::expired)", () => {
    expect(isLeaseActive(lease('10.0.1.10', 'aa', 1000), 1100)).toBe(true);
    expect(isLeaseActive(lease('10.0.1.10', 'aa', 1000), 1101)).toBe(false);
  });

  it('a cut direction drops that direction only; `*` stands for every client', () => {
    const isClient = (n: string): boolean => n.startsWith('c');
    const net = cutLink(cutLink(newNetwork('timed'), 'server1', 'server2'), '*', 'server2');
    expect(isCut(net, 'server1', 'server2', isClient)).toBe(true);
    expect(isCut(net, 'server2', 'server1', isClient)).toBe(false);
    expect(isCut(net, 'c07', 'server2', isClient)).toBe(true);
    expect(isCut(net, 'server2', 'c07', isClient)).toBe(false);
  });

  it('the machine time never goes backwards after a backward clock step (contract rule 5)', () => {
    let clock = freshClock();
    clock = machineNow(clock, 10_000).clock;
    clock = jumpClock(clock, -5_000);
    const read = machineNow(clock, 12_000);
    expect(read.nowMs).toBe(EPOCH_MS + 10_000);
    expect(machineNow(read.clock, 16_000).nowMs).toBe(EPOCH_MS + 11_000);
  });

  it('durations and the PRNG are what the scripts and the seeds rely on', () => {
    expect([parseDuration('250ms'), parseDuration('10s'), parseDuration('+45s'), parseDuration('-2m'), parseDuration('1h')]).toEqual([250, 10_000, 45_000, -120_000, 3_600_000]);
    const a = new Prng(42);
    const b = new Prng(42);
    const drawsA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(drawsA);
    expect(drawsA.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
