/** JSON as it crosses Kea's control channel. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonMap = { readonly [key: string]: JsonValue };

export const isJsonMap = (value: unknown): value is JsonMap =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Serialises the way Kea's `Element::str()` does, so an answer on the unix socket is byte-for-byte what a
 * Kea daemon writes: map keys in ascending order, `{ "k": v, ... }`, `[ a, b ]`, and `[  ]` / `{  }` when empty.
 */
export const toKeaJson = (value: JsonValue): string => {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[ ${(value as readonly JsonValue[]).map(toKeaJson).join(', ')} ]`;
  const map = value as JsonMap;
  const keys = Object.keys(map).filter((k) => map[k] !== undefined).sort();
  return `{ ${keys.map((k) => `${JSON.stringify(k)}: ${toKeaJson(map[k] as JsonValue)}`).join(', ')} }`;
};
