/**
 * Shared vocabulary of the wire parsers: the result shape every parser returns and the
 * type guards that tell Kea's JSON element types apart on an already-parsed value.
 */

/** Outcome of turning an untrusted JSON value into a typed one; `reason` is operator-facing text. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export const parsedOk = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const parsedError = <T = never>(reason: string): Parsed<T> => ({ ok: false, reason });

/** A JSON object; Kea calls it a map. Arrays and null are not maps. */
export type JsonMap = Record<string, unknown>;

export const isJsonMap = (value: unknown): value is JsonMap =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Kea's integer element. After `JSON.parse` a body written `5.0` is indistinguishable from `5`,
 * so a whole double passes here where Kea would refuse it; nothing Kea sends looks like that.
 */
export const isJsonInteger = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);

/** Own-property lookup, so keys such as `__proto__` or `constructor` never resolve to inherited values. */
export const getKey = (map: JsonMap, key: string): unknown =>
  Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;

/** A key mapped to `undefined` counts as absent, as it would after a JSON round trip. */
export const hasKey = (map: JsonMap, key: string): boolean => getKey(map, key) !== undefined;
