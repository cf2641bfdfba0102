import { describe, expect, it } from 'vitest';
import { escapeField, unescapeField } from '../src/csv-escape.js';
import { parseKeaJson, renderKeaJson } from '../src/kea-json.js';

// Expected texts follow Kea 2.2's Element::toJSON (src/lib/cc/data.cc) and CSVRow escaping
// (src/lib/util/csv_file.cc).
describe('user-context JSON as Kea prints and reads it', () => {
  it('prints maps with sorted keys and padded braces, lists with padded brackets', () => {
    expect(renderKeaJson({ b: [1, 'two', null, false], a: {}, c: [] })).toBe('{ "a": {  }, "b": [ 1, "two", null, false ], "c": [  ] }');
  });

  it('orders keys by UTF-8 bytes as std::map does, not by UTF-16 units', () => {
    expect(renderKeaJson({ '\uffff': 1, '😀': 2, Z: 3, a: 4 })).toBe('{ "Z": 3, "a": 4, "\uffff": 1, "😀": 2 }');
  });

  it('prints strings as bytes: named escapes, \\u00XX for other control and non-ASCII bytes', () => {
    expect(renderKeaJson('tab\tquote"back\\slash/é\u0001\u007f')).toBe('"tab\\tquote\\"back\\\\slash/\\u00c3\\u00a9\\u0001\\u007f"');
    expect(parseKeaJson('"\\u00c3\\u00a9 \\u0041 \\/ \\ud83d\\ude00"')).toBe('é A / 😀');
  });

  it('prints integers in full (int64) and other numbers so they read back exactly', () => {
    expect(renderKeaJson([0, -0, -7, 2 ** 60, 0.1, 1e-7, 2 ** 64])).toBe('[ 0, 0, -7, 1152921504606846976, 0.1, 1e-7, 1.8446744073709552e+19 ]');
    expect(parseKeaJson('[ 0.1, 1e-7, 1.8446744073709552e+19 ]')).toEqual([0.1, 1e-7, 2 ** 64]);
  });

  it('reads keys like "__proto__" as plain data', () => {
    const parsed = parseKeaJson('{ "__proto__": { "polluted": true } }') as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses text that is not JSON, saying where', () => {
    expect(() => parseKeaJson('{ "a": 1 ')).toThrow(/expected } at character 10/);
    expect(() => parseKeaJson('{ "a": 1 } x')).toThrow(/unexpected text/);
  });
});

describe('CSV field escaping of hostname and user context', () => {
  it('writes commas and ampersands as &#x2c and &#x26, and reads any &#xHH back as that byte', () => {
    expect(escapeField('a,b&c')).toBe('a&#x2cb&#x26c');
    expect(escapeField('plain.example.org')).toBe('plain.example.org');
    expect(unescapeField('a&#x2cb&#x26c&#x41&#xc3&#xa9')).toBe('a,b&cAé');
  });

  it('keeps an escape tag not followed by two hex digits as written', () => {
    expect(unescapeField('x&#xz1&#x4')).toBe('x&#xz1&#x4');
    expect(unescapeField('&#x&#x41')).toBe('&#xA');
  });
});
