/** A configuration the daemon refuses; the message names the offending key and where it is. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A Kea setting Tandem accepts but does not act on as Kea would; logged once at start. */
export interface ConfigWarning {
  /** JSON path, e.g. `$.Dhcp4.interfaces-config/dhcp-socket-type`. */
  readonly path: string;
  readonly text: string;
}

export type JsonObject = { readonly [key: string]: unknown };

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const expectObject = (value: unknown, path: string): JsonObject => {
  if (!isObject(value)) throw new ConfigError(`${path} must be a map`);
  return value;
};

export const expectString = (value: unknown, path: string): string => {
  if (typeof value !== 'string') throw new ConfigError(`${path} must be a string`);
  return value;
};

export const expectBoolean = (value: unknown, path: string): boolean => {
  if (typeof value !== 'boolean') throw new ConfigError(`${path} must be a boolean`);
  return value;
};

export const expectInteger = (value: unknown, path: string, min: number, max: number): number => {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ConfigError(`${path} must be an integer`);
  if (value < min || value > max) throw new ConfigError(`${path} value ${value} is out of range ${min}..${max}`);
  return value;
};

/** Rejects keys a section does not know, naming all of them (never silently ignored). */
export const rejectUnknownKeys = (section: JsonObject, known: ReadonlySet<string>, path: string, hint = ''): void => {
  const unknown = Object.keys(section).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    const names = unknown.map((k) => `'${k}'`).join(', ');
    throw new ConfigError(`${path}: unsupported parameter${unknown.length > 1 ? 's' : ''} ${names}${hint}`);
  }
};
