/**
 * JSON text exactly as Kea writes and reads it.
 *
 * Kea writes every element on one line: `{ "a": 1, "b": [ 1, 2 ] }`, empty containers with two
 * spaces (`[  ]`, `{  }`), map keys in byte order, doubles always with a decimal point (`1.0`),
 * and strings byte by byte: every byte outside printable ASCII becomes `\u00XX`, so a UTF-8
 * `é` travels as `\u00c3\u00a9`. Kea's reader treats `\u00XX` as one raw byte in turn, which is
 * why `parseKeaJson` decodes escapes as bytes rather than as code points: a plain `JSON.parse`
 * of a Kea body would turn every non-ASCII character into mojibake.
 */

import { type Parsed, parsedError, parsedOk } from './json-value.js';

/**
 * A number Kea holds as a double. JavaScript has one number type, so a whole double such as
 * the `1.0` of `packet-queue-statistics` needs this marker to be written with its decimal point.
 */
export class KeaDouble {
  constructor(readonly value: number) {}
}

export const keaDouble = (value: number): KeaDouble => new KeaDouble(value);

/** Formats a value as Kea's `Element::str()` would; `undefined` map entries are left out like `JSON.stringify` does. */
export function serializeKea(value: unknown): string {
  const out: string[] = [];
  writeElement(value, out);
  return out.join('');
}

function writeElement(value: unknown, out: string[]): void {
  if (value === null || value === undefined) {
    out.push('null');
  } else if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
  } else if (typeof value === 'bigint') {
    out.push(value.toString());
  } else if (typeof value === 'number') {
    // String() of a safe integer is its decimal digits; beyond that it would switch to exponent form.
    out.push(Number.isSafeInteger(value) ? String(value) : isInt64(value) ? BigInt(value).toString() : formatDouble(value));
  } else if (typeof value === 'string') {
    out.push(quoteString(value));
  } else if (value instanceof KeaDouble) {
    out.push(formatDouble(value.value));
  } else if (Array.isArray(value)) {
    out.push('[ ');
    value.forEach((item, index) => {
      if (index > 0) out.push(', ');
      writeElement(item, out);
    });
    out.push(' ]');
  } else if (typeof value === 'object') {
    const keys = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort(compareCodePoints);
    out.push('{ ');
    keys.forEach((key, index) => {
      if (index > 0) out.push(', ');
      // Kea writes keys unescaped; escaping them changes nothing for any key Kea uses and keeps
      // the output valid JSON for keys that would otherwise break it.
      out.push(quoteString(key), ': ');
      writeElement((value as Record<string, unknown>)[key], out);
    });
    out.push(' }');
  } else {
    out.push('null');
  }
}

const INT64_LIMIT = 2 ** 63;

/** Whole numbers Kea can hold as an integer element; larger ones only exist as doubles. */
const isInt64 = (value: number): boolean => Number.isInteger(value) && value >= -INT64_LIMIT && value < INT64_LIMIT;

/**
 * Kea's ordering of strings in maps and sets: std::string compares UTF-8 bytes, which is code
 * point order — not the UTF-16 unit order of `Array.prototype.sort`.
 */
export function compareCodePoints(a: string, b: string): number {
  // Without surrogates, UTF-16 unit order is code point order (every key Kea uses is ASCII).
  if (!HAS_SURROGATE.test(a) && !HAS_SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const left = Array.from(a);
  const right = Array.from(b);
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const difference = (left[i]!.codePointAt(0) ?? 0) - (right[i]!.codePointAt(0) ?? 0);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

const HAS_SURROGATE = /[\ud800-\udfff]/;

const utf8Encoder = new TextEncoder();

/** Printable ASCII but `"` and `\`: written as is, so such a string needs no byte-by-byte pass. */
const VERBATIM_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x22: '\\"',
  0x5c: '\\\\',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
};

function quoteString(text: string): string {
  if (VERBATIM_STRING.test(text)) return `"${text}"`;
  let quoted = '"';
  for (const byte of utf8Encoder.encode(text)) {
    const short = SHORT_ESCAPES[byte];
    if (short !== undefined) {
      quoted += short;
    } else if (byte < 0x20 || byte >= 0x7f) {
      quoted += `\\u${byte.toString(16).padStart(4, '0')}`;
    } else {
      quoted += String.fromCharCode(byte);
    }
  }
  return `${quoted}"`;
}

/**
 * C++ iostream default formatting (`%g`, 6 significant digits) followed by Kea's rule of
 * appending `.0` when no decimal point was printed, so `1` prints as `1.0`. Two departures
 * keep the text valid JSON where Kea's is not: an exponent form gets no `.0` (Kea would print
 * `1e+06.0`), and a non-finite value prints as `null` (Kea: `nan.0`, `inf.0`).
 */
export function formatDouble(value: number): string {
  if (!Number.isFinite(value)) return 'null';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa = '0', exponentText = '0'] = value.toExponential(5).split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${stripFractionZeros(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = stripFractionZeros(value.toFixed(5 - exponent));
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

function stripFractionZeros(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

export interface ParseKeaJsonOptions {
  /** `keep` returns numbers written with a fraction or exponent as `KeaDouble`, so re-serialising is byte-exact. */
  readonly doubles?: 'number' | 'keep';
}

/** Nesting bound: Kea bodies are a handful of levels deep; anything deeper is refused rather than risking the stack. */
const MAX_DEPTH = 256;

/** Parses JSON text with Kea's string semantics (`\u00XX` is a raw byte; strings are UTF-8 byte strings). */
export function parseKeaJson(text: string, options: ParseKeaJsonOptions = {}): Parsed<unknown> {
  const reader = new KeaJsonReader(text, options.doubles === 'keep');
  try {
    reader.skipWhitespace();
    const value = reader.readValue(0);
    reader.skipWhitespace();
    if (!reader.atEnd()) reader.fail('unexpected data after the JSON value');
    return parsedOk(value);
  } catch (error) {
    if (error instanceof KeaJsonSyntaxError) return parsedError(error.message);
    throw error;
  }
}

class KeaJsonSyntaxError extends Error {}

const utf8Decoder = new TextDecoder('utf-8');

/**
 * A run of string characters that stand for themselves: no quote, escape, control character or
 * surrogate. Such a run encodes to UTF-8 and decodes back to exactly the same characters, so it is
 * taken as one slice. Sticky: matched at the reader's position only, without copying the rest of the
 * text. (A 10,000-lease page — Kea's default sync-page-limit — is about 2.5 MB; reading it character
 * by character through the encoder took seconds on the daemon's only thread.)
 */
const PLAIN_STRING_RUN = /[^"\\\u0000-\u001f\ud800-\udfff]*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

class KeaJsonReader {
  private position = 0;

  constructor(
    private readonly text: string,
    private readonly keepDoubles: boolean,
  ) {}

  atEnd(): boolean {
    return this.position >= this.text.length;
  }

  fail(problem: string): never {
    throw new KeaJsonSyntaxError(`invalid JSON at offset ${this.position}: ${problem}`);
  }

  skipWhitespace(): void {
    while (!this.atEnd() && ' \t\n\r'.includes(this.text[this.position]!)) this.position++;
  }

  readValue(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const next = this.text[this.position];
    if (next === '{') return this.readMap(depth);
    if (next === '[') return this.readList(depth);
    if (next === '"') return this.readString();
    if (next === '-' || (next !== undefined && next >= '0' && next <= '9')) return this.readNumber();
    if (this.text.startsWith('true', this.position)) return this.readLiteral('true', true);
    if (this.text.startsWith('false', this.position)) return this.readLiteral('false', false);
    if (this.text.startsWith('null', this.position)) return this.readLiteral('null', null);
    return this.fail(next === undefined ? 'unexpected end of text' : `unexpected character '${next}'`);
  }

  private readLiteral<T>(word: string, value: T): T {
    this.position += word.length;
    return value;
  }

  private expect(character: string): void {
    if (this.text[this.position] !== character) this.fail(`expected '${character}'`);
    this.position++;
  }

  private readMap(depth: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    this.expect('{');
    this.skipWhitespace();
    if (this.text[this.position] === '}') {
      this.position++;
      return map;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.position] !== '"') this.fail('expected a quoted map key');
      const key = this.readString();
      this.skipWhitespace();
      this.expect(':');
      this.skipWhitespace();
      // Later duplicates replace earlier ones, as Kea's map does; defining the property keeps a
      // key such as `__proto__` ordinary data, as it is for Kea.
      Object.defineProperty(map, key, { value: this.readValue(depth + 1), enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      if (this.text[this.position] === ',') {
        this.position++;
        continue;
      }
      this.expect('}');
      return map;
    }
  }

  private readList(depth: number): unknown[] {
    const list: unknown[] = [];
    this.expect('[');
    this.skipWhitespace();
    if (this.text[this.position] === ']') {
      this.position++;
      return list;
    }
    for (;;) {
      this.skipWhitespace();
      list.push(this.readValue(depth + 1));
      this.skipWhitespace();
      if (this.text[this.position] === ',') {
        this.position++;
        continue;
      }
      this.expect(']');
      return list;
    }
  }

  private readNumber(): number | KeaDouble {
    NUMBER.lastIndex = this.position;
    const match = NUMBER.exec(this.text);
    if (match === null) return this.fail('malformed number');
    this.position += match[0].length;
    const value = Number(match[0]);
    const isDouble = match[1] !== undefined || match[2] !== undefined;
    return isDouble && this.keepDoubles ? new KeaDouble(value) : value;
  }

  private readString(): string {
    this.expect('"');
    PLAIN_STRING_RUN.lastIndex = this.position;
    PLAIN_STRING_RUN.exec(this.text);
    const plainEnd = PLAIN_STRING_RUN.lastIndex;
    if (this.text[plainEnd] === '"') {
      const value = this.text.slice(this.position, plainEnd);
      this.position = plainEnd + 1;
      return value;
    }
    const bytes: number[] = [];
    for (;;) {
      if (this.atEnd()) this.fail('unterminated string');
      const character = this.text[this.position]!;
      if (character === '"') {
        this.position++;
        return utf8Decoder.decode(Uint8Array.from(bytes));
      }
      if (character < ' ') this.fail('unescaped control character in string');
      if (character !== '\\') {
        const codePoint = this.text.codePointAt(this.position)!;
        this.position += codePoint > 0xffff ? 2 : 1;
        bytes.push(...utf8Encoder.encode(String.fromCodePoint(codePoint)));
        continue;
      }
      this.position++;
      const escape = this.text[this.position];
      this.position++;
      switch (escape) {
        case '"':
        case '\\':
        case '/':
          bytes.push(escape.charCodeAt(0));
          break;
        case 'b':
          bytes.push(0x08);
          break;
        case 'f':
          bytes.push(0x0c);
          break;
        case 'n':
          bytes.push(0x0a);
          break;
        case 'r':
          bytes.push(0x0d);
          break;
        case 't':
          bytes.push(0x09);
          break;
        case 'u':
          bytes.push(...this.readUnicodeEscape());
          break;
        default:
          this.fail(`unknown escape '\\${escape ?? ''}'`);
      }
    }
  }

  /** The four hex digits after `\u`; a surrogate pair is combined with the escape that follows it. */
  private readUnicodeEscape(): Uint8Array | number[] {
    const unit = this.readHex4();
    // Kea's own writer only emits \u00XX, meaning one raw byte.
    if (unit <= 0xff) return [unit];
    if (unit >= 0xd800 && unit <= 0xdbff && this.text.startsWith('\\u', this.position)) {
      const saved = this.position;
      this.position += 2;
      const low = this.readHex4();
      if (low >= 0xdc00 && low <= 0xdfff) {
        return utf8Encoder.encode(String.fromCodePoint(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00)));
      }
      this.position = saved;
    }
    // A lone surrogate encodes as U+FFFD.
    return utf8Encoder.encode(String.fromCharCode(unit));
  }

  private readHex4(): number {
    const digits = this.text.slice(this.position, this.position + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) this.fail('malformed \\u escape');
    this.position += 4;
    return parseInt(digits, 16);
  }
}
