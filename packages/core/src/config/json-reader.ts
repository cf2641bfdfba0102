/**
 * Typed reads from parsed JSON with Kea's wording for missing and mistyped parameters.
 * Every read names the key and its JSON path; the first problem stops the parse (see `fail`).
 */
import { fail } from './errors.js';
import { childPath } from './json-path.js';

export type JsonMap = { readonly [key: string]: unknown };

export function isJsonMap(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a value is named in "expected X, got Y" messages. */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'object':
      return 'a map';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'a boolean';
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a real number';
    default:
      return `a ${typeof value} value`;
  }
}

/** Own members only: a JSON key such as `__proto__` or `constructor` must never reach Object.prototype. */
export function member(map: JsonMap, key: string): unknown {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

export function hasMember(map: JsonMap, key: string): boolean {
  return Object.hasOwn(map, key);
}

function wrongType(path: string, key: string, expected: string, value: unknown): never {
  return fail(
    path,
    'invalid-type',
    `invalid type specified for parameter '${key}': expected ${expected}, got ${describeJsonType(value)}`,
  );
}

export function readString(map: JsonMap, key: string, mapPath: string): string {
  const path = childPath(mapPath, key);
  if (!hasMember(map, key)) fail(path, 'missing-parameter', `missing parameter '${key}'`);
  const value = member(map, key);
  return typeof value === 'string' ? value : wrongType(path, key, 'a string', value);
}

export function readOptionalString(map: JsonMap, key: string, mapPath: string): string | undefined {
  return hasMember(map, key) ? readString(map, key, mapPath) : undefined;
}

export function readBoolean(map: JsonMap, key: string, mapPath: string, fallback: boolean): boolean {
  if (!hasMember(map, key)) return fallback;
  const value = member(map, key);
  return typeof value === 'boolean' ? value : wrongType(childPath(mapPath, key), key, 'a boolean', value);
}

/** An integer in 0..max, with Kea's range messages (`'heartbeat-delay' must not be negative`). */
export function readUnsigned(map: JsonMap, key: string, mapPath: string, fallback: number, max: number): number {
  if (!hasMember(map, key)) return fallback;
  const path = childPath(mapPath, key);
  const value = member(map, key);
  if (typeof value !== 'number' || !Number.isInteger(value)) return wrongType(path, key, 'an integer', value);
  if (value < 0) fail(path, 'integer-negative', `'${key}' must not be negative`);
  if (value > max) fail(path, 'integer-too-large', `'${key}' must not be greater than ${max}`);
  // -0 is a valid JSON integer; keep the config free of it so equality checks stay simple.
  return value === 0 ? 0 : value;
}

/** Kea's annotation keys, allowed on every map of its configuration and carrying no meaning. */
const ANNOTATION_KEYS: ReadonlySet<string> = new Set(['comment', 'user-context']);

/**
 * Kea ignores keys it does not know; Tandem refuses them so a typo such as `heartbeat-dealy`
 * cannot silently leave a default in force. Kea's annotations (`comment`, `user-context`) are
 * accepted everywhere, as Kea accepts them.
 */
export function rejectUnknownKeys(map: JsonMap, known: ReadonlySet<string>, mapPath: string, where: string): void {
  for (const key of Object.keys(map)) {
    if (known.has(key) || ANNOTATION_KEYS.has(key)) continue;
    const suggestion = closestKnownKey(key, known);
    const hint = suggestion === undefined ? '' : `; did you mean '${suggestion}'?`;
    fail(childPath(mapPath, key), 'unknown-key', `unknown parameter '${key}' in the ${where}${hint}`);
  }
}

function closestKnownKey(key: string, known: ReadonlySet<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(key, candidate, bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once it cannot fall below `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      const cell = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
      current.push(cell);
      rowMin = Math.min(rowMin, cell);
    }
    if (rowMin >= limit) return limit;
    previous = current;
  }
  return Math.min(previous[b.length] ?? limit, limit);
}
