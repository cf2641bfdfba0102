/**
 * One entry of `peers` as written (spec §5.2), read in Kea's order: name, url, TLS overrides,
 * role, auto-failover, Basic auth. Checks that need all peers (URL host, TLS completeness,
 * role counts) come later, in `peer-checks.ts`.
 */
import { fail } from './errors.js';
import { tryReadFile, type ReadFile } from './file-reader.js';
import { childPath } from './json-path.js';
import { hasMember, isJsonMap, readBoolean, readOptionalString, readString, rejectUnknownKeys, type JsonMap } from './json-reader.js';
import { keaTrim } from './kea-trim.js';
import { isPeerRole, unsupportedRoleText } from './labels.js';
import { parsePeerUrl, type PeerUrlOutcome } from './peer-url.js';
import { readTlsSources, type TlsSources } from './tls.js';
import type { BasicAuth, PeerRole } from './types.js';

const PEER_KEYS: ReadonlySet<string> = new Set([
  'name',
  'url',
  'role',
  'auto-failover',
  'basic-auth-user',
  'basic-auth-user-file',
  'basic-auth-password',
  'basic-auth-password-file',
  'trust-anchor',
  'cert-file',
  'key-file',
]);

export interface PeerEntry {
  readonly path: string;
  /** Config order; the peers list of the result is re-ordered by role. */
  readonly index: number;
  readonly name: string;
  readonly href: string;
  readonly url: PeerUrlOutcome;
  readonly tls: TlsSources;
  readonly role: PeerRole;
  readonly autoFailover: boolean;
  readonly basicAuth: BasicAuth | undefined;
}

export function readPeerEntry(
  raw: unknown,
  path: string,
  index: number,
  takenNames: ReadonlySet<string>,
  readFile: ReadFile | undefined,
): PeerEntry {
  if (!isJsonMap(raw)) fail(path, 'peer-not-map', 'peer configuration must be a map');
  rejectUnknownKeys(raw, PEER_KEYS, path, 'peer configuration');

  const name = keaTrim(readString(raw, 'name', path));
  if (name === '') fail(childPath(path, 'name'), 'peer-name-empty', 'peer name must not be empty');
  if (takenNames.has(name)) fail(childPath(path, 'name'), 'peer-name-unique', `peer with name '${name}' already specified`);

  const href = readString(raw, 'url', path);
  const tls = readTlsSources(raw, path);
  const roleText = readString(raw, 'role', path);
  if (!isPeerRole(roleText)) fail(childPath(path, 'role'), 'role-value', unsupportedRoleText(roleText));
  const autoFailover = readBoolean(raw, 'auto-failover', path, true);
  const basicAuth = readBasicAuth(raw, path, name, readFile);

  return { path, index, name, href, url: parsePeerUrl(href), tls, role: roleText, autoFailover, basicAuth };
}

/** CFG-25..27, CFG-35: credentials this server sends to the peer; none when the user is empty. */
function readBasicAuth(raw: JsonMap, path: string, peerName: string, readFile: ReadFile | undefined): BasicAuth | undefined {
  const exclusive = (key: string, fileKey: string, rule: 'basic-auth-password-exclusive' | 'basic-auth-user-exclusive') => {
    if (hasMember(raw, key) && hasMember(raw, fileKey)) {
      fail(childPath(path, fileKey), rule, `only one of ${key} and ${fileKey} parameter can be configured in peer '${peerName}'`);
    }
  };
  const fromFile = (fileKey: string, rule: 'basic-auth-password-file' | 'basic-auth-user-file', what: string) => {
    const file = readOptionalString(raw, fileKey, path);
    if (file === undefined) return undefined;
    const outcome = tryReadFile(readFile, file);
    if (!outcome.ok) fail(childPath(path, fileKey), rule, `bad ${what} file in peer '${peerName}': ${outcome.reason}`);
    return keaTrim(outcome.content);
  };

  exclusive('basic-auth-password', 'basic-auth-password-file', 'basic-auth-password-exclusive');
  const password =
    readOptionalString(raw, 'basic-auth-password', path) ?? fromFile('basic-auth-password-file', 'basic-auth-password-file', 'password') ?? '';

  exclusive('basic-auth-user', 'basic-auth-user-file', 'basic-auth-user-exclusive');
  const userKey = hasMember(raw, 'basic-auth-user-file') ? 'basic-auth-user-file' : 'basic-auth-user';
  const user = readOptionalString(raw, 'basic-auth-user', path) ?? fromFile('basic-auth-user-file', 'basic-auth-user-file', 'user');

  if (user === undefined || user === '') return undefined;
  if (user.includes(':')) {
    fail(childPath(path, userKey), 'basic-auth-user-colon', `user '${user}' must not contain a ':' in peer '${peerName}'`);
  }
  return { user, password };
}
