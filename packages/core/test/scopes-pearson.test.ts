import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { pearsonHash } from '../src/scopes/pearson.js';
import { bytes } from './scopes-communication.fixture.js';

// §7.2 table: key bytes, hash, LB owner.
const VECTORS: readonly (readonly [string, number, 'primary' | 'secondary'])[] = [
  ['00 00 00 00 00 00', 254, 'primary'],
  ['01 02 03 04 05 06', 179, 'secondary'],
  ['aa bb cc dd ee ff', 57, 'secondary'],
  ['08 00 27 00 00 01', 237, 'secondary'],
  ['01 aa bb cc dd ee ff', 102, 'primary'],
  ['01 01 02 03 04 05 06', 198, 'primary'],
  ['00 01 00 01 12 34 56 78 aa bb cc dd ee ff', 33, 'secondary'],
  ['00 03 00 01 01 02 03 04 05 06', 158, 'primary'],
  ['00', 175, 'secondary'],
];

describe('pearsonHash', () => {
  it.each(VECTORS)('LB-01 key %s hashes to %i (%s)', (key, hash, owner) => {
    expect(pearsonHash(bytes(key))).toBe(hash);
    expect(hash % 2 === 0 ? 'primary' : 'secondary').toBe(owner);
  });

  it('LB-01 the empty key yields the seed, 0', () => {
    expect(pearsonHash(new Uint8Array(0))).toBe(0);
  });

  it('LB-01 the seed is the length modulo 256: a 256-byte key starts from 0', () => {
    // T[x] recovered through the one-byte case: pearsonHash([b]) = T[1 ^ b].
    const table = (index: number) => pearsonHash(Uint8Array.of(index ^ 1));
    let h = 0;
    for (let i = 0; i < 256; i++) h = table(h);
    expect(pearsonHash(new Uint8Array(256))).toBe(h);
    // Seeded with 256 instead of 0, the first lookup would be out of the table.
    expect(table(0)).toBe(251);
  });

  test.prop([fc.uint8Array({ maxLength: 600 })])('the hash is an integer in 0..255', (key) => {
    const h = pearsonHash(key);
    expect(Number.isInteger(h)).toBe(true);
    expect(h).toBeGreaterThanOrEqual(0);
    expect(h).toBeLessThanOrEqual(255);
  });

  test.prop([fc.uint8Array({ maxLength: 300 })])('the hash is deterministic and leaves the key untouched', (key) => {
    const copy = Uint8Array.from(key);
    expect(pearsonHash(key)).toBe(pearsonHash(copy));
    expect(key).toEqual(copy);
  });

  test.prop([fc.uint8Array({ minLength: 1, maxLength: 64 })])(
    'the last byte is consumed first: the key equals a chain of one-step hashes',
    (key) => {
      // T[x] = pearsonHash([x ^ 1]) (one-byte case, seed 1), so the walk is checked without
      // restating the table.
      const table = (index: number) => pearsonHash(Uint8Array.of(index ^ 1));
      let h = key.length & 0xff;
      for (let i = key.length - 1; i >= 0; i--) h = table(h ^ (key[i] as number));
      expect(pearsonHash(key)).toBe(h);
    },
  );
});
