/**
 * JSON as Kea's `Element::str()` writes it and `Element::fromJSON` reads it, for the user-context
 * column of a lease file. Kea's strings are byte strings: it writes every byte outside printable
 * ASCII as `\u00XX` and reads `\u00XX` back as that byte, so text here travels as UTF-8 bytes. Maps
 * print with sorted keys as `{ "a": 1, "b": [ 2, 3 ] }`, which is why a context with two keys holds a
 * comma that the CSV layer must escape.
 */

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');
const INT64_LIMIT = 2 ** 63;

const pushUtf8 = (bytes: number[], text: string): void => {
  for (const byte of utf8.encode(text)) bytes.push(byte);
};

const hexByte = (byte: number): string => byte.toString(16).padStart(2, '0');

/** Kea's StringElement::toJSON applied to the UTF-8 bytes of `text`. */
const renderString = (text: string): string => {
  let plain = true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code >= 0x7f || code === 0x22 || code === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) return `"${text}"`;
  let out = '"';
  for (const byte of utf8.encode(text)) {
    switch (byte) {
      case 0x22: out += '\\"'; break;
      case 0x5c: out += '\\\\'; break;
      case 0x08: out += '\\b'; break;
      case 0x0c: out += '\\f'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      default:
        out += byte < 0x20 || byte >= 0x7f ? `\\u00${hexByte(byte)}` : String.fromCharCode(byte);
    }
  }
  return `${out}"`;
};

/**
 * Kea prints map keys without escaping. A key it could not read back (one holding a quote, a
 * backslash or a control character) is escaped here instead, so the file stays valid JSON.
 */
const renderKey = (key: string): string =>
  /["\\\u0000-\u001f]/.test(key) ? renderString(key) : `"${key}"`;

const renderNumber = (value: number): string => {
  if (!Number.isFinite(value)) return 'null';
  // Kea keeps integers as int64 and prints them in full; a double prints in the shortest form that
  // reads back to the same value (Kea's own six-digit doubles would lose precision).
  if (Number.isInteger(value)) {
    return Math.abs(value) < INT64_LIMIT ? BigInt(value).toString() : value.toExponential();
  }
  return String(value);
};

/** UTF-8 byte order, the order of the std::map that holds a Kea map's keys. */
const compareKeys = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

const isSkipped = (value: unknown): boolean =>
  value === undefined || typeof value === 'function' || typeof value === 'symbol';

export const renderKeaJson = (value: unknown): string => {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean': return value ? 'true' : 'false';
    case 'number': return renderNumber(value);
    case 'bigint': return value.toString();
    case 'string': return renderString(value);
    case 'object': {
      if (Array.isArray(value)) {
        const items = value.map((item) => (isSkipped(item) ? 'null' : renderKeaJson(item)));
        return `[ ${items.join(', ')} ]`;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).filter((key) => !isSkipped(record[key]));
      keys.sort(compareKeys);
      return `{ ${keys.map((key) => `${renderKey(key)}: ${renderKeaJson(record[key])}`).join(', ')} }`;
    }
    default: return 'null';
  }
};

/** Thrown by `parseKeaJson` with the character offset of the problem. */
export class KeaJsonError extends Error {}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  '"': 0x22, '\\': 0x5c, '/': 0x2f, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09,
};

/** Reads JSON text the way Kea does: `\u00XX` is one byte of a UTF-8 string. */
export const parseKeaJson = (text: string): unknown => {
  let at = 0;
  const fail = (what: string): never => {
    throw new KeaJsonError(`${what} at character ${at + 1}`);
  };
  const skipWhitespace = (): void => {
    while (at < text.length && WHITESPACE.has(text[at]!)) at++;
  };
  const expect = (literal: string): void => {
    if (!text.startsWith(literal, at)) fail(`expected ${literal}`);
    at += literal.length;
  };

  const parseString = (): string => {
    expect('"');
    const bytes: number[] = [];
    let runStart = at;
    const flushRun = (): void => {
      if (at > runStart) pushUtf8(bytes, text.slice(runStart, at));
    };
    for (;;) {
      if (at >= text.length) fail('unterminated string');
      const char = text[at]!;
      if (char === '"') {
        flushRun();
        at++;
        return utf8Decoder.decode(Uint8Array.from(bytes));
      }
      if (char !== '\\') {
        at++;
        continue;
      }
      flushRun();
      const escape = text[at + 1];
      if (escape === undefined) return fail('unterminated escape');
      if (escape === 'u') {
        const hex = text.slice(at + 2, at + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
        const unit = parseInt(hex, 16);
        if (unit < 0x100) {
          bytes.push(unit);
          at += 6;
        } else {
          // Kea never writes these; other writers use UTF-16 escapes, surrogate pairs included.
          let codePoint = unit;
          at += 6;
          if (unit >= 0xd800 && unit < 0xdc00 && /^\\u[dD][c-fC-F][0-9a-fA-F]{2}$/.test(text.slice(at, at + 6))) {
            codePoint = 0x10000 + ((unit - 0xd800) << 10) + (parseInt(text.slice(at + 2, at + 6), 16) - 0xdc00);
            at += 6;
          }
          pushUtf8(bytes, String.fromCodePoint(codePoint));
        }
      } else {
        const byte = SIMPLE_ESCAPES[escape];
        if (byte === undefined) return fail(`bad escape \\${escape}`);
        bytes.push(byte);
        at += 2;
      }
      runStart = at;
    }
  };

  const parseValue = (): unknown => {
    skipWhitespace();
    const char = text[at];
    if (char === '{') {
      at++;
      const map: Record<string, unknown> = {};
      skipWhitespace();
      if (text[at] === '}') {
        at++;
        return map;
      }
      for (;;) {
        skipWhitespace();
        const key = parseString();
        skipWhitespace();
        expect(':');
        Object.defineProperty(map, key, { value: parseValue(), enumerable: true, writable: true, configurable: true });
        skipWhitespace();
        if (text[at] === ',') {
          at++;
          continue;
        }
        expect('}');
        return map;
      }
    }
    if (char === '[') {
      at++;
      const list: unknown[] = [];
      skipWhitespace();
      if (text[at] === ']') {
        at++;
        return list;
      }
      for (;;) {
        list.push(parseValue());
        skipWhitespace();
        if (text[at] === ',') {
          at++;
          continue;
        }
        expect(']');
        return list;
      }
    }
    if (char === '"') return parseString();
    if (text.startsWith('true', at)) return (at += 4), true;
    if (text.startsWith('false', at)) return (at += 5), false;
    if (text.startsWith('null', at)) return (at += 4), null;
    NUMBER.lastIndex = at;
    const number = NUMBER.exec(text);
    if (number === null) return fail('expected a JSON value');
    at += number[0].length;
    return Number(number[0]);
  };

  const value = parseValue();
  skipWhitespace();
  if (at < text.length) fail('unexpected text after the JSON value');
  return value;
};
