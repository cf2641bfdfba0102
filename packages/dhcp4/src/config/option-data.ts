/**
 * `option-data` entries (`name` or `code`, `data`, `csv-format`, `always-send`, `space`) to wire
 * payloads, checked against the option's definition so that a typo fails at start-up instead of
 * sending garbage to every client.
 */
import { match } from 'ts-pattern';
import { parseHexBytes } from '../hex.js';
import { parseIpv4 } from '../ipv4-address.js';
import { optionPayloadProblem } from '../options.js';
import type { ConfiguredOption } from './types.js';
import {
  OPTION_DEFINITIONS_BY_CODE,
  OPTION_DEFINITIONS_BY_NAME,
  SERVER_MANAGED_OPTION_CODES,
  type OptionDefinition,
  type OptionValueType,
} from './option-definitions.js';
import {
  checkKeys,
  childPath,
  fail,
  has,
  readBoolean,
  readString,
  readUnsigned,
  requireList,
  requireMap,
  type JsonMap,
} from './json.js';

const OPTION_DATA_KEYS = new Set(['name', 'code', 'data', 'csv-format', 'space', 'always-send']);
const utf8 = new TextEncoder();

export function parseOptionDataList(value: unknown, path: string): readonly ConfiguredOption[] {
  const list = requireList(value, path);
  const options = list.map((entry, i) => parseOptionData(requireMap(entry, childPath(path, i)), childPath(path, i)));
  const seen = new Map<number, number>();
  options.forEach((option, i) => {
    const first = seen.get(option.code);
    if (first !== undefined) {
      fail(childPath(path, i), `option ${option.code} is already defined at ${childPath(path, first)}`);
    }
    seen.set(option.code, i);
  });
  return options;
}

function parseOptionData(map: JsonMap, path: string): ConfiguredOption {
  checkKeys(map, path, OPTION_DATA_KEYS);
  const space = readString(map, 'space', path);
  if (space !== undefined && space !== 'dhcp4') {
    fail(childPath(path, 'space'), `option space '${space}' is not supported (only 'dhcp4')`);
  }
  const name = readString(map, 'name', path);
  const code = readUnsigned(map, 'code', path, 254);
  if (name === undefined && code === undefined) fail(path, "option data must have a 'name' or a 'code'");
  if (code === 0) fail(childPath(path, 'code'), 'option code 0 is the pad option and cannot be configured');

  let definition: OptionDefinition | undefined;
  if (name !== undefined) {
    definition = OPTION_DEFINITIONS_BY_NAME.get(name);
    if (definition === undefined) fail(childPath(path, 'name'), `unknown option name '${name}'`);
    if (code !== undefined && code !== definition.code) {
      fail(childPath(path, 'code'), `option '${name}' has code ${definition.code}, not ${code}`);
    }
  } else {
    definition = OPTION_DEFINITIONS_BY_CODE.get(code!);
  }
  const optionCode = definition?.code ?? code!;
  const managed = SERVER_MANAGED_OPTION_CODES.get(optionCode);
  if (managed !== undefined) {
    fail(path, `option ${optionCode} (${managed}) is set by the server and cannot be configured`);
  }

  const csvFormat = readBoolean(map, 'csv-format', path) ?? definition !== undefined;
  const dataText = readString(map, 'data', path) ?? '';
  const dataPath = has(map, 'data') ? childPath(path, 'data') : path;
  let data: Uint8Array;
  if (csvFormat) {
    if (definition === undefined) {
      fail(path, `option code ${optionCode} has no definition: give its data as hex with "csv-format": false`);
    }
    data = encodeCsv(definition, dataText, dataPath);
  } else {
    const bytes = parseHexBytes(dataText);
    if (bytes === undefined) fail(dataPath, `option data '${dataText}' is not valid hex`);
    const problem = (definition && binaryProblem(definition.type, bytes)) ?? optionPayloadProblem(optionCode, bytes);
    if (problem !== undefined) fail(dataPath, `option ${optionCode} data ${problem}`);
    data = bytes;
  }
  if (data.length > 255 * 4) fail(dataPath, `option ${optionCode} data is ${data.length} bytes long, too long to send`);
  return {
    code: optionCode,
    ...(definition !== undefined && { name: definition.name }),
    data,
    alwaysSend: readBoolean(map, 'always-send', path) ?? false,
  };
}

/** Kea splits CSV data on commas; a comma inside a value is written `\,`. */
function splitCsv(text: string): string[] {
  return text.split(/(?<!\\),/).map((part) => part.replace(/\\,/g, ',').trim());
}

function encodeCsv(definition: OptionDefinition, text: string, path: string): Uint8Array {
  const what = `option '${definition.name}'`;
  return match(definition.type)
    .with('string', () => {
      const value = text.replace(/\\,/g, ',');
      if (value === '') fail(path, `${what} needs a non-empty string`);
      return utf8.encode(value);
    })
    .with('ipv4-address', 'ipv4-address-list', (type) => {
      const parts = text.trim() === '' ? [] : splitCsv(text);
      if (parts.length === 0) fail(path, `${what} needs ${type === 'ipv4-address' ? 'an address' : 'one or more addresses'}`);
      if (type === 'ipv4-address' && parts.length > 1) fail(path, `${what} takes one address, got ${parts.length}`);
      const out = new Uint8Array(4 * parts.length);
      parts.forEach((part, i) => {
        const value = parseIpv4(part);
        if (value === undefined) fail(path, `${what}: '${part}' is not an IPv4 address`);
        new DataView(out.buffer).setUint32(4 * i, value);
      });
      return out;
    })
    .with('fqdn-list', () => {
      const names = text.trim() === '' ? [] : splitCsv(text);
      if (names.length === 0) fail(path, `${what} needs one or more domain names`);
      return concat(names.map((name) => encodeDomainName(name, path, what)));
    })
    .with('boolean', () => {
      const value = text.trim().toLowerCase();
      if (value === 'true' || value === '1') return Uint8Array.of(1);
      if (value === 'false' || value === '0') return Uint8Array.of(0);
      return fail(path, `${what}: '${text}' is not a boolean (true, false, 1 or 0)`);
    })
    .with('uint8', 'uint16', 'uint32', 'int32', (type) => encodeInteger(type, text.trim(), path, what))
    .exhaustive();
}

const INTEGER_RANGES: Record<'uint8' | 'uint16' | 'uint32' | 'int32', readonly [number, number, number]> = {
  uint8: [0, 0xff, 1],
  uint16: [0, 0xffff, 2],
  uint32: [0, 0xffffffff, 4],
  int32: [-0x80000000, 0x7fffffff, 4],
};

function encodeInteger(type: keyof typeof INTEGER_RANGES, text: string, path: string, what: string): Uint8Array {
  const [min, max, size] = INTEGER_RANGES[type];
  const value = /^-?[0-9]+$/.test(text) ? Number(text) : /^0[xX][0-9a-fA-F]+$/.test(text) ? parseInt(text, 16) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    fail(path, `${what}: '${text}' is not a ${type} (${min}..${max})`);
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  if (size === 1) view.setUint8(0, value);
  else if (size === 2) view.setUint16(0, value);
  else if (type === 'int32') view.setInt32(0, value);
  else view.setUint32(0, value);
  return out;
}

/** RFC 1035 §3.1 wire form, uncompressed (RFC 3397 permits but does not need compression). */
function encodeDomainName(name: string, path: string, what: string): Uint8Array {
  const labels = name.replace(/\.$/, '').split('.');
  const parts: number[] = [];
  for (const label of labels) {
    const bytes = utf8.encode(label);
    if (bytes.length === 0 || bytes.length > 63) fail(path, `${what}: '${name}' is not a valid domain name`);
    parts.push(bytes.length, ...bytes);
  }
  parts.push(0);
  if (parts.length > 255) fail(path, `${what}: '${name}' is longer than 255 bytes`);
  return Uint8Array.from(parts);
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function binaryProblem(type: OptionValueType, bytes: Uint8Array): string | undefined {
  const n = bytes.length;
  const exactly = (size: number) => (n === size ? undefined : `must be ${size} byte${size > 1 ? 's' : ''} long, is ${n}`);
  return match(type)
    .with('ipv4-address', 'uint32', 'int32', () => exactly(4))
    .with('uint16', () => exactly(2))
    .with('boolean', 'uint8', () => exactly(1))
    .with('ipv4-address-list', () =>
      n > 0 && n % 4 === 0 ? undefined : `must hold one or more 4-byte addresses, is ${n} bytes long`,
    )
    .with('string', 'fqdn-list', () => (n > 0 ? undefined : 'must not be empty'))
    .exhaustive();
}
