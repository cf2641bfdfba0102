/**
 * Entry points of the HA configuration parser (spec §5). Pure: files are read only through the
 * injected `readFile`. The first problem Kea would report ends the parse; the result is frozen.
 *
 * Deviations from Kea, by decision: unknown keys are refused at every level (Kea ignores them);
 * a peer URL must carry a port in 1..65535 (Kea accepts none or any and then fails to connect).
 */
import { compatProfile, type CompatProfile } from './compat.js';
import { deepFreeze } from './deep-freeze.js';
import { fail, HaConfigError, type ParseResult } from './errors.js';
import type { ReadFile } from './file-reader.js';
import { childPath } from './json-path.js';
import { locateHaList, type LocatedHaList } from './locate.js';
import { readRelationship } from './relationship.js';
import type { HaConfig, KeaCompat } from './types.js';

export interface ParseOptions {
  /** Whose limits and defaults apply; default '2.2' (the Debian 12 peer Tandem must work with). */
  readonly compat?: KeaCompat;
  /**
   * Reads password, user and TLS files; throws when a file cannot be read. Without it a
   * password or user file is an error and TLS files are not checked for readability.
   * A `trust-anchor` may name a directory; the reader should then succeed (with any text).
   */
  readonly readFile?: ReadFile;
}

export type Relationships = readonly [HaConfig, ...HaConfig[]];

/**
 * Every relationship of the list. Under 'head' compat there may be several (all hot-standby,
 * peer names unique across them); under '2.2' exactly one.
 */
export function parseHaRelationships(input: unknown, options: ParseOptions = {}): ParseResult<Relationships> {
  try {
    return { ok: true, value: parseOrThrow(input, options) };
  } catch (error) {
    if (error instanceof HaConfigError) return { ok: false, error: error.toConfigError() };
    throw error;
  }
}

/**
 * The relationship this server runs. With several relationships (head compat) this is the
 * first one of the list; use `parseHaRelationships` to get them all.
 */
export function parseHaConfig(input: unknown, options: ParseOptions = {}): ParseResult<HaConfig> {
  const result = parseHaRelationships(input, options);
  return result.ok ? { ok: true, value: result.value[0] } : result;
}

/** As `parseHaConfig`, throwing `HaConfigError` (with `path` and `rule`) instead. */
export function parseHaConfigOrThrow(input: unknown, options: ParseOptions = {}): HaConfig {
  return parseOrThrow(input, options)[0];
}

function parseOrThrow(input: unknown, options: ParseOptions): Relationships {
  const profile = compatProfile(options.compat ?? '2.2');
  return deepFreeze(readRelationshipList(locateHaList(input), profile, options.readFile));
}

function readRelationshipList({ value, path }: LocatedHaList, profile: CompatProfile, readFile: ReadFile | undefined): Relationships {
  if (!Array.isArray(value)) fail(path, 'relationships-not-list', 'HA configuration must be a list');
  const [first, ...others] = value as readonly unknown[];
  if (first === undefined || (others.length > 0 && !profile.multipleRelationships)) {
    fail(path, 'relationship-count', profile.relationshipCountText);
  }

  // Kea maps each relationship's peer names right after reading it, so a clash is reported
  // before the next relationship is read.
  const ownerOfName = new Map<string, number>();
  const read = (raw: unknown, index: number): HaConfig => {
    const { config, peerNamePaths } = readRelationship(raw, childPath(path, index), profile, readFile);
    for (const [name, namePath] of peerNamePaths) {
      const owner = ownerOfName.get(name);
      if (owner !== undefined) {
        fail(
          namePath,
          'server-names-unique',
          `server names must be unique for different relationships: '${name}' is also a peer of relationship ${owner}`,
        );
      }
      ownerOfName.set(name, index);
    }
    return config;
  };
  const relationships: Relationships = [read(first, 0), ...others.map((raw, offset) => read(raw, offset + 1))];

  if (relationships.length > 1) {
    const index = relationships.findIndex((relationship) => relationship.mode !== 'hot-standby');
    if (index >= 0) {
      fail(
        childPath(childPath(path, index), 'mode'),
        'relationships-hot-standby-only',
        "multiple HA relationships are only supported for 'hot-standby' mode",
      );
    }
  }
  return relationships;
}
