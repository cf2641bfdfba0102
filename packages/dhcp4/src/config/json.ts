/**
 * Reading parsed JSON with errors that name the key and its JSON path. The first problem stops
 * the parse (like Kea): readers throw `ConfigProblem`, which `parseDhcp4ServerConfig` turns into
 * its error result, so nothing outside this folder sees an exception.
 */

export type JsonMap = { readonly [key: string]: unknown };

export class ConfigProblem extends Error {
  constructor(
    readonly path: string,
    readonly text: string,
  ) {
    super(`${path}: ${text}`);
  }
}

export function fail(path: string, text: string): never {
  throw new ConfigProblem(path, text);
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return PLAIN_KEY.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

export function isJsonMap(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a real number';
  return `a ${typeof value}`;
}

export function wrongType(path: string, expected: string, value: unknown): never {
  return fail(path, `expected ${expected}, got ${describe(value)}`);
}

export function requireMap(value: unknown, path: string): JsonMap {
  return isJsonMap(value) ? value : wrongType(path, 'a map', value);
}

export function requireList(value: unknown, path: string): readonly unknown[] {
  return Array.isArray(value) ? value : wrongType(path, 'a list', value);
}

/** Own members only, so keys such as `__proto__` never reach Object.prototype. */
export function member(map: JsonMap, key: string): unknown {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

export function has(map: JsonMap, key: string): boolean {
  return Object.hasOwn(map, key) && map[key] !== undefined;
}

/**
 * Kea accepts `comment` and `user-context` anywhere; they never change behaviour. Every other key
 * must be one the caller understands: a typo must not silently leave a default in force.
 */
export function checkKeys(map: JsonMap, path: string, allowed: ReadonlySet<string>, skipped?: ReadonlySet<string>): void {
  for (const key of Object.keys(map)) {
    if (allowed.has(key) || key === 'comment' || key === 'user-context' || skipped?.has(key)) continue;
    fail(childPath(path, key), `unsupported key '${key}'`);
  }
}

export function readString(map: JsonMap, key: string, path: string): string | undefined {
  if (!has(map, key)) return undefined;
  const value = member(map, key);
  return typeof value === 'string' ? value : wrongType(childPath(path, key), 'a string', value);
}

export function readBoolean(map: JsonMap, key: string, path: string): boolean | undefined {
  if (!has(map, key)) return undefined;
  const value = member(map, key);
  return typeof value === 'boolean' ? value : wrongType(childPath(path, key), 'a boolean', value);
}

export const UINT32_MAX = 0xffffffff;

export function readUnsigned(map: JsonMap, key: string, path: string, max = UINT32_MAX): number | undefined {
  if (!has(map, key)) return undefined;
  const at = childPath(path, key);
  const value = member(map, key);
  if (typeof value !== 'number' || !Number.isInteger(value)) return wrongType(at, 'an integer', value);
  if (value < 0) fail(at, `'${key}' must not be negative`);
  if (value > max) fail(at, `'${key}' must not be greater than ${max}`);
  return value === 0 ? 0 : value;
}

export function readNumber(map: JsonMap, key: string, path: string): number | undefined {
  if (!has(map, key)) return undefined;
  const value = member(map, key);
  return typeof value === 'number' && Number.isFinite(value) ? value : wrongType(childPath(path, key), 'a number', value);
}

export function readList(map: JsonMap, key: string, path: string): readonly unknown[] | undefined {
  if (!has(map, key)) return undefined;
  return requireList(member(map, key), childPath(path, key));
}

export function readStringList(map: JsonMap, key: string, path: string): readonly string[] | undefined {
  const list = readList(map, key, path);
  if (list === undefined) return undefined;
  return list.map((item, i) => (typeof item === 'string' ? item : wrongType(childPath(childPath(path, key), i), 'a string', item)));
}

/** Freezes a parsed value graph; typed arrays cannot be frozen and are left as they are. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return value;
}
