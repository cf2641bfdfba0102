/**
 * The checks Kea makes once a relationship has been read (its `HAConfig::validate`, spec §5.4):
 * this server is a peer; each peer's URL and TLS (peers visited in name order, as Kea keeps
 * them in a map by name); the role counts; what each mode requires and forbids.
 */
import { match } from 'ts-pattern';
import { fail } from './errors.js';
import type { ReadFile } from './file-reader.js';
import { childPath } from './json-path.js';
import type { PeerEntry } from './peer-entry.js';
import type { PeerUrlProblem } from './peer-url.js';
import { resolvePeerTls, type TlsSources } from './tls.js';
import type { HaMode, PeerConfig, PeerRole } from './types.js';

export interface RelationshipToCheck {
  readonly path: string;
  readonly mode: HaMode;
  readonly thisServerName: string;
  readonly peers: readonly PeerEntry[];
  readonly waitBackupAck: boolean;
  readonly delayedUpdatesLimit: number;
  readonly tls: TlsSources;
}

/** Returns the checked peers in config order. */
export function checkRelationship(relationship: RelationshipToCheck, readFile: ReadFile | undefined): readonly PeerConfig[] {
  const { path, thisServerName, peers } = relationship;
  if (!peers.some((peer) => peer.name === thisServerName)) {
    fail(
      childPath(path, 'this-server-name'),
      'this-server-not-in-peers',
      `no peer configuration specified for the '${thisServerName}'`,
    );
  }

  const checked = [...peers]
    .sort(byName)
    .map((peer) => ({ index: peer.index, config: checkPeer(peer, relationship.tls, readFile) }));
  checkRoleCounts(relationship);
  return checked.sort((a, b) => a.index - b.index).map(({ config }) => config);
}

const byName = (a: PeerEntry, b: PeerEntry): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function checkPeer(peer: PeerEntry, relationshipTls: TlsSources, readFile: ReadFile | undefined): PeerConfig {
  const urlPath = childPath(peer.path, 'url');
  const badUrl = (detail: string) => `bad url '${peer.href}': ${detail} for server ${peer.name}`;
  if (!peer.url.ok) failOnUrl(peer, peer.url.problem);
  const { url } = peer.url;

  const tls = resolvePeerTls({ peerName: peer.name, peerPath: peer.path, peer: peer.tls, relationship: relationshipTls, readFile });
  if (tls === undefined && url.scheme === 'https') {
    fail(urlPath, 'https-without-tls', badUrl('https scheme is not supported') + ' where TLS is disabled');
  }

  return {
    name: peer.name,
    url,
    role: peer.role,
    autoFailover: peer.autoFailover,
    ...(peer.basicAuth === undefined ? {} : { basicAuth: peer.basicAuth }),
    ...(tls === undefined ? {} : { tls }),
  };
}

function failOnUrl(peer: PeerEntry, problem: PeerUrlProblem): never {
  const urlPath = childPath(peer.path, 'url');
  const badUrl = (detail: string) => `bad url '${peer.href}': ${detail} for server ${peer.name}`;
  return match(problem)
    .with({ kind: 'syntax' }, ({ detail }) => fail(urlPath, 'peer-url-invalid', `invalid URL: ${detail} for server ${peer.name}`))
    .with({ kind: 'host' }, ({ detail }) => fail(urlPath, 'peer-url-host', badUrl(detail)))
    .with({ kind: 'port' }, ({ detail }) => fail(urlPath, 'peer-url-port', badUrl(detail)))
    .exhaustive();
}

function checkRoleCounts({ path, mode, peers, waitBackupAck, delayedUpdatesLimit }: RelationshipToCheck): void {
  const withRole = (role: PeerRole) => peers.filter((peer) => peer.role === role);
  const rolePath = (peer: PeerEntry) => childPath(peer.path, 'role');

  for (const role of ['primary', 'secondary', 'standby'] as const) {
    const second = withRole(role)[1];
    if (second !== undefined) fail(rolePath(second), 'role-multiple', `multiple ${role} servers specified`);
  }

  const notAllowed = (role: PeerRole, modeText: string) => {
    const first = withRole(role)[0];
    if (first !== undefined) fail(rolePath(first), 'role-not-allowed', `${role} servers not allowed in the ${modeText} configuration`);
  };
  const required = (role: PeerRole, modeText: string) => {
    if (withRole(role).length === 0) fail(childPath(path, 'peers'), 'role-required', `${role} server required in the ${modeText} configuration`);
  };
  const noWaitBackupAck = (modeText: string) => {
    if (waitBackupAck) {
      fail(childPath(path, 'wait-backup-ack'), 'wait-backup-ack-mode', `'wait-backup-ack' must be set to false in the ${modeText} configuration`);
    }
  };
  const noDelayedUpdates = (modeText: string) => {
    if (delayedUpdatesLimit > 0) {
      fail(
        childPath(path, 'delayed-updates-limit'),
        'delayed-updates-limit-mode',
        `'delayed-updates-limit' must be set to 0 in the ${modeText} configuration`,
      );
    }
  };

  match(mode)
    .with('load-balancing', () => {
      const text = 'load balancing';
      notAllowed('standby', text);
      required('secondary', text);
      required('primary', text);
      noWaitBackupAck(text);
    })
    .with('hot-standby', () => {
      const text = 'hot standby';
      notAllowed('secondary', text);
      required('standby', text);
      required('primary', text);
      noWaitBackupAck(text);
      noDelayedUpdates(text);
    })
    .with('passive-backup', () => {
      const text = 'passive backup';
      notAllowed('secondary', text);
      notAllowed('standby', text);
      required('primary', text);
      noDelayedUpdates(text);
    })
    .exhaustive();
}
