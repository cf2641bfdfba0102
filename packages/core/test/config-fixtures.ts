/**
 * Configurations for the parser tests, in the shape of Kea's own HA unit-test fixture:
 * server1 primary, server2 secondary (standby in hot-standby), server3 backup, all on 127.0.0.1.
 * Every call returns fresh objects, so a test may mutate what it gets.
 */
import { expect } from 'vitest';
import { parseHaConfig, type ConfigError, type ConfigRule, type HaConfig, type ParseOptions, type ParseResult } from '../src/config/index.js';

export type JsonMap = { [key: string]: unknown };

export const server1 = (): JsonMap => ({ name: 'server1', url: 'http://127.0.0.1:8080/', role: 'primary' });
export const server2 = (role = 'secondary'): JsonMap => ({ name: 'server2', url: 'http://127.0.0.1:8081/', role });
export const server3 = (): JsonMap => ({ name: 'server3', url: 'http://127.0.0.1:8082/', role: 'backup' });

export const loadBalancing = (extra: JsonMap = {}): JsonMap => ({
  'this-server-name': 'server1',
  mode: 'load-balancing',
  peers: [server1(), server2(), server3()],
  ...extra,
});

export const hotStandby = (extra: JsonMap = {}): JsonMap => ({
  'this-server-name': 'server1',
  mode: 'hot-standby',
  peers: [server1(), server2('standby'), server3()],
  ...extra,
});

export const passiveBackup = (extra: JsonMap = {}): JsonMap => ({
  'this-server-name': 'server1',
  mode: 'passive-backup',
  peers: [server1(), { ...server2(), role: 'backup' }, server3()],
  ...extra,
});

/** Replaces fields of peer `index` (0-based, config order); `undefined` deletes a field. */
export function withPeer(relationship: JsonMap, index: number, fields: JsonMap): JsonMap {
  const peers = (relationship['peers'] as JsonMap[]).map((peer, i) => (i === index ? merge(peer, fields) : peer));
  return { ...relationship, peers };
}

export function merge(base: JsonMap, fields: JsonMap): JsonMap {
  const result = { ...base, ...fields };
  for (const [key, value] of Object.entries(fields)) if (value === undefined) delete result[key];
  return result;
}

/** The hook `parameters` map, so error paths read `$.high-availability[0]...`. */
export const hookParameters = (...relationships: JsonMap[]): JsonMap => ({ 'high-availability': relationships });
export const REL = '$.high-availability[0]';

export const compat22: ParseOptions = { compat: '2.2' };
export const compatHead: ParseOptions = { compat: 'head' };

export function parseOne(relationship: JsonMap, options: ParseOptions = compat22): ParseResult<HaConfig> {
  return parseHaConfig(hookParameters(relationship), options);
}

export function accepted(result: ParseResult<HaConfig>): HaConfig {
  if (!result.ok) expect.fail(`expected the configuration to be accepted, got: ${result.error.message}`);
  return result.value;
}

export interface ExpectedError {
  readonly path: string;
  readonly rule: ConfigRule;
  /** Kea's text (or a substring of it). */
  readonly text: string;
}

export function rejected<T>(result: ParseResult<T>, expected: ExpectedError): ConfigError {
  if (result.ok) return expect.fail(`expected "${expected.text}", but the configuration was accepted`);
  expect(result.error.message).toContain(expected.text);
  expect(result.error.path).toBe(expected.path);
  expect(result.error.rule).toBe(expected.rule);
  expect(result.error.message).toContain(expected.path);
  return result.error;
}

/** A reader over an in-memory file system: unknown paths fail like a missing file. */
export function memoryFiles(files: Readonly<Record<string, string>>): (path: string) => string {
  return (path) => {
    const content = files[path];
    if (content === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    return content;
  };
}
