/**
 * Properties of the parser: it never throws, whatever JSON it is given; every error path points
 * into the input; every accepted configuration keeps its numeric parameters exactly.
 */
import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { parseHaConfig, type ConfigError, type HaConfig, type KeaCompat, type ParseResult } from '../src/config/index.js';
import type { JsonMap } from './config-fixtures.js';

const COMPATS: readonly KeaCompat[] = ['2.2', 'head'];

/** Follows a path in the parser's notation (`$`, `.key`, `["key"]`, `[3]`) through a JSON value. */
function resolvePath(root: unknown, path: string): { found: boolean; value: unknown } {
  const segments = path.slice(1).match(/\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\]/g) ?? [];
  expect(segments.join('')).toBe(path.slice(1));
  let value: unknown = root;
  for (const segment of segments) {
    const key: string | number = segment.startsWith('.')
      ? segment.slice(1)
      : segment.startsWith('["')
        ? (JSON.parse(segment.slice(1, -1)) as string)
        : Number(segment.slice(1, -1));
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return { found: false, value: undefined };
    value = (value as Record<string | number, unknown>)[key];
  }
  return { found: true, value };
}

/** An error names an existing node, or a missing key of an existing map. */
function expectPathIntoInput(input: unknown, error: ConfigError): void {
  expect(error.path.startsWith('$')).toBe(true);
  expect(error.message).toContain(error.path);
  if (resolvePath(input, error.path).found) return;
  const parentPath = error.path.replace(/(\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])$/, '');
  const parent = resolvePath(input, parentPath);
  expect(parent.found, `neither ${error.path} nor its parent exists in the input`).toBe(true);
}

function checkOutcome(input: unknown, result: ParseResult<HaConfig>): void {
  if (result.ok) {
    expect(Object.isFrozen(result.value)).toBe(true);
    expect(result.value.peers).toContain(result.value.thisServer);
  } else {
    expectPathIntoInput(input, result.error);
  }
}

const wrappers: ReadonlyArray<readonly [string, (value: unknown) => unknown]> = [
  ['bare', (value) => value],
  ['in a list', (value) => [value]],
  ['as high-availability', (value) => ({ 'high-availability': value })],
  ['as a relationship', (value) => ({ 'high-availability': [value] })],
  ['as hook parameters', (value) => ({ Dhcp4: { 'hooks-libraries': [{ library: 'libdhcp_ha.so', parameters: value }] } })],
];

describe('parse never throws', () => {
  for (const compat of COMPATS) {
    for (const [label, wrap] of wrappers) {
      it.prop([fc.jsonValue()], { numRuns: 300 })(`for arbitrary JSON ${label} (${compat})`, (value) => {
        const input = wrap(value);
        checkOutcome(input, parseHaConfig(input, { compat, readFile: () => 'x' }));
      });
    }
  }
});

interface ValidParameters {
  readonly mode: 'load-balancing' | 'hot-standby' | 'passive-backup';
  readonly backups: number;
  readonly thisServer: number;
  readonly numbers: Readonly<Record<string, number>>;
  readonly booleans: Readonly<Record<string, boolean>>;
}

const UINT32_MAX = 4_294_967_295;

function validParameters(compat: KeaCompat): fc.Arbitrary<ValidParameters> {
  const timingMax = compat === '2.2' ? 65_535 : UINT32_MAX;
  const u32 = fc.integer({ min: 0, max: UINT32_MAX });
  const timing = fc.integer({ min: 0, max: timingMax });
  return fc
    .record({
      mode: fc.constantFrom('load-balancing' as const, 'hot-standby' as const, 'passive-backup' as const),
      backups: fc.integer({ min: 0, max: 3 }),
      thisServer: fc.nat(),
      numbers: fc.record(
        {
          'sync-timeout': u32,
          'sync-page-limit': u32,
          'delayed-updates-limit': u32,
          'heartbeat-delay': timing,
          'max-response-delay': timing,
          'max-ack-delay': timing,
          'max-unacked-clients': u32,
          'max-rejected-lease-updates': u32,
        },
        { requiredKeys: [] },
      ),
      booleans: fc.record(
        {
          'send-lease-updates': fc.boolean(),
          'sync-leases': fc.boolean(),
          'wait-backup-ack': fc.boolean(),
          'require-client-certs': fc.boolean(),
          'restrict-commands': fc.boolean(),
        },
        { requiredKeys: [] },
      ),
    })
    .map((parameters) => {
      // Only load-balancing has a backlog and only passive-backup may wait for backups.
      const numbers = { ...parameters.numbers };
      if (parameters.mode !== 'load-balancing') delete numbers['delayed-updates-limit'];
      const booleans = { ...parameters.booleans };
      if (parameters.mode !== 'passive-backup') delete booleans['wait-backup-ack'];
      return { ...parameters, numbers, booleans };
    });
}

function buildRelationship({ mode, backups, thisServer, numbers, booleans }: ValidParameters): JsonMap {
  const roles = [
    'primary',
    ...(mode === 'load-balancing' ? ['secondary'] : mode === 'hot-standby' ? ['standby'] : []),
    ...Array.from({ length: backups }, () => 'backup'),
  ];
  const peers = roles.map((role, index) => ({ name: `server${index + 1}`, url: `http://192.0.2.${index + 1}:${8000 + index}/`, role }));
  return { 'this-server-name': peers[thisServer % peers.length]?.name, mode, peers, ...numbers, ...booleans };
}

const FIELD_OF: Readonly<Record<string, keyof HaConfig>> = {
  'sync-timeout': 'syncTimeoutMs',
  'sync-page-limit': 'syncPageLimit',
  'delayed-updates-limit': 'delayedUpdatesLimit',
  'heartbeat-delay': 'heartbeatDelayMs',
  'max-response-delay': 'maxResponseDelayMs',
  'max-ack-delay': 'maxAckDelayMs',
  'max-unacked-clients': 'maxUnackedClients',
  'max-rejected-lease-updates': 'maxRejectedLeaseUpdates',
  'send-lease-updates': 'sendLeaseUpdates',
  'sync-leases': 'syncLeases',
  'wait-backup-ack': 'waitBackupAck',
  'require-client-certs': 'requireClientCerts',
  'restrict-commands': 'restrictCommands',
};

describe('accepted configurations keep their values', () => {
  for (const compat of COMPATS) {
    it.prop([validParameters(compat)], { numRuns: 300 })(`every configured number and flag round-trips (${compat})`, (parameters) => {
      const relationship = buildRelationship(parameters);
      const result = parseHaConfig([relationship], { compat });
      if (!result.ok) return expect.fail(result.error.message);
      for (const [key, value] of Object.entries({ ...parameters.numbers, ...parameters.booleans })) {
        const field = FIELD_OF[key] ?? expect.fail(`no field for ${key}`);
        expect(result.value[field]).toBe(value);
      }
      expect(result.value.thisServerName).toBe(relationship['this-server-name']);
      expect(result.value.peers.map((peer) => peer.role)).toEqual((relationship['peers'] as JsonMap[]).map((peer) => peer['role']));
    });
  }
});

/** Every node of a JSON value with the steps to reach it. */
function nodesOf(value: unknown, steps: ReadonlyArray<string | number> = []): Array<ReadonlyArray<string | number>> {
  const here = [steps];
  if (Array.isArray(value)) return [...here, ...value.flatMap((item, index) => nodesOf(item, [...steps, index]))];
  if (typeof value === 'object' && value !== null) {
    return [...here, ...Object.entries(value).flatMap(([key, item]) => nodesOf(item, [...steps, key]))];
  }
  return here;
}

type Mutation =
  | { readonly kind: 'replace'; readonly target: number; readonly value: unknown }
  | { readonly kind: 'delete'; readonly target: number }
  | { readonly kind: 'add'; readonly target: number; readonly key: string; readonly value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), target: fc.nat(), value: fc.jsonValue() }),
  fc.record({ kind: fc.constant('delete' as const), target: fc.nat() }),
  fc.record({
    kind: fc.constant('add' as const),
    target: fc.nat(),
    key: fc.oneof(fc.constantFrom('mode', 'peers', 'name', 'url', 'role', 'states', 'pause', 'cert-file', 'basic-auth-user-file'), fc.string()),
    value: fc.jsonValue(),
  }),
);

function applyMutation(document: unknown, change: Mutation): unknown {
  const copy = structuredClone(document);
  const nodes = nodesOf(copy);
  const steps = nodes[change.target % nodes.length] ?? [];
  if (steps.length === 0) return change.kind === 'replace' ? change.value : copy;
  let parent: unknown = copy;
  for (const step of steps.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[step];
  const last = steps[steps.length - 1] as string | number;
  const container = parent as Record<string | number, unknown>;
  if (change.kind === 'replace') container[last] = change.value;
  else if (change.kind === 'delete') {
    if (Array.isArray(container)) container.splice(Number(last), 1);
    else delete container[last];
  } else {
    const target = container[last];
    if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
      Object.defineProperty(target, change.key, { value: change.value, enumerable: true, writable: true, configurable: true });
    }
  }
  return copy;
}

describe('mutated valid configurations', () => {
  for (const compat of COMPATS) {
    it.prop([validParameters(compat), fc.array(mutation, { minLength: 1, maxLength: 3 })], { numRuns: 400 })(
      `never make the parser throw, and errors point into the document (${compat})`,
      (parameters, changes) => {
        const document = changes.reduce<unknown>(applyMutation, { 'high-availability': [buildRelationship(parameters)] });
        checkOutcome(document, parseHaConfig(document, { compat, readFile: () => 'x' }));
      },
    );
  }
});
