import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeaDouble, formatDouble, keaDouble, parseKeaJson, serializeKea } from '../src/wire/kea-json.js';
import { fixturePaths, fixtureText, httpExchange, isKeaFormatted } from './wire-fixtures.js';

/** What a value looks like after a trip through Kea's text: doubles keep 6 significant digits, -0 is 0. */
function afterKeaText(value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && Math.abs(value) < 2 ** 63) return value === 0 ? 0 : value;
    const text = formatDouble(value);
    return text === 'null' ? null : Number(text) === 0 ? 0 : Number(text);
  }
  if (Array.isArray(value)) return value.map(afterKeaText);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, afterKeaText(item)]));
  }
  return value;
}

describe('serializeKea', () => {
  const keaBodies = [...fixturePaths('.response.json'), ...fixturePaths('.request.json')].filter((path) =>
    isKeaFormatted(fixtureText(path)),
  );

  it('covers the captured Kea-formatted bodies (guard against an empty fixture set)', () => {
    expect(keaBodies.length).toBeGreaterThan(100);
  });

  it.each(keaBodies)('re-serialises %s byte for byte', (path) => {
    const text = fixtureText(path);
    const parsed = parseKeaJson(text, { doubles: 'keep' });
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(serializeKea(parsed.value)).toBe(text);
  });

  it.each(fixturePaths('.http.txt'))('reproduces the Kea bodies and their Content-Length in %s', (path) => {
    const exchange = httpExchange(path);
    const bodies = [exchange.responseBody, ...(isKeaFormatted(exchange.requestBody) ? [exchange.requestBody] : [])];
    for (const body of bodies) {
      const parsed = parseKeaJson(body, { doubles: 'keep' });
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) continue;
      const ours = serializeKea(parsed.value);
      expect(ours).toBe(body);
      expect(Buffer.byteLength(ours, 'utf8')).toBe(Buffer.byteLength(body, 'utf8'));
    }
  });

  it('writes empty containers with two spaces and sorts keys', () => {
    expect(serializeKea({ b: [1, 2], a: 1, c: [], d: {} })).toBe('{ "a": 1, "b": [ 1, 2 ], "c": [  ], "d": {  } }');
  });

  it('sorts keys in code point order, as std::map sorts UTF-8 bytes', () => {
    // U+FF5E sorts after U+1F600 in UTF-16 units but before it in code points.
    expect(serializeKea({ '\u{1F600}': 1, '\uFF5E': 2, Z: 3, a: 4 })).toBe(
      '{ "Z": 3, "a": 4, "\\u00ef\\u00bd\\u009e": 2, "\\u00f0\\u009f\\u0098\\u0080": 1 }',
    );
  });

  it('escapes every byte outside printable ASCII as \\u00XX, as Kea does', () => {
    expect(serializeKea('é')).toBe('"\\u00c3\\u00a9"');
    expect(serializeKea('a"b\\c\n\t\u0001\u007f/')).toBe('"a\\"b\\\\c\\n\\t\\u0001\\u007f/"');
  });

  it('writes doubles the way Kea does', () => {
    expect(serializeKea([keaDouble(1), keaDouble(0), 0.955521, keaDouble(0.5), 1234567.5, 0.00001, 0.0001])).toBe(
      '[ 1.0, 0.0, 0.955521, 0.5, 1.23457e+06, 1e-05, 0.0001 ]',
    );
    expect(formatDouble(123456.7)).toBe('123457.0');
    expect(formatDouble(Number.NaN)).toBe('null');
  });

  it('writes null for undefined list items and omits undefined map entries', () => {
    expect(serializeKea({ a: undefined, b: [undefined] })).toBe('{ "b": [ null ] }');
  });

  it('round-trips any JSON value through its own text (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed = parseKeaJson(serializeKea(value));
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(parsed.value).toEqual(afterKeaText(value));
      }),
    );
  });

  it('round-trips any Unicode string, whatever its escapes (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const parsed = parseKeaJson(serializeKea(text));
        expect(parsed).toEqual({ ok: true, value: text });
      }),
    );
  });
});

describe('parseKeaJson', () => {
  it('reads \\u00XX escapes as the UTF-8 bytes Kea meant', () => {
    expect(parseKeaJson('"\\u00c3\\u00a9 and é"')).toEqual({ ok: true, value: 'é and é' });
  });

  it('reads standard escapes of characters above U+00FF, including surrogate pairs', () => {
    expect(parseKeaJson('"\\u20ac\\ud83d\\ude00"')).toEqual({ ok: true, value: '€😀' });
  });

  it('keeps doubles when asked, so whole doubles re-serialise with their point', () => {
    const parsed = parseKeaJson('[ 1.0, 2, 3e2 ]', { doubles: 'keep' });
    expect(parsed).toEqual({ ok: true, value: [new KeaDouble(1), 2, new KeaDouble(300)] });
  });

  it('treats __proto__ as an ordinary key', () => {
    const parsed = parseKeaJson('{ "__proto__": { "x": 1 } }');
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(Object.keys(parsed.value as object)).toEqual(['__proto__']);
      expect(({} as Record<string, unknown>).x).toBeUndefined();
    }
  });

  it.each(['', '{', '[1,]', '{"a" 1}', '"abc', '01', 'tru', '[1] 2', '"\\x"', '"\\u12"', '{ "a": 1, }'])(
    'refuses malformed text %j with the offset of the problem',
    (text) => {
      const parsed = parseKeaJson(text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toMatch(/^invalid JSON at offset \d+: /);
    },
  );

  it('refuses nesting deeper than its bound instead of overflowing the stack', () => {
    expect(parseKeaJson('['.repeat(10_000) + ']'.repeat(10_000)).ok).toBe(false);
  });

  it('agrees with JSON.parse on ASCII JSON text (property)', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(parseKeaJson(text)).toEqual({ ok: true, value: JSON.parse(text) });
      }),
    );
  });

  it('never throws on arbitrary text (property)', () => {
    fc.assert(
      // Built from JSON's own punctuation so that most inputs get deep into the reader before failing.
      // A throw fails the property; no assertion is needed beyond returning a Parsed value.
      fc.property(
        fc.oneof(fc.json(), fc.string({ unit: fc.constantFrom(...'{}[]",:\\/u0123456789abcdefABCDEF.eE+-truefalsnl é\n'.split('')) })),
        (text) => typeof parseKeaJson(text).ok === 'boolean',
      ),
    );
  });
});
