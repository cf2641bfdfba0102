import { spawnSync } from 'node:child_process';
import type { MixedPair } from './mixed-pair.js';
import type { PeerSpec, TlsFiles } from './pair-config.js';

/** Why the HTTPS tests cannot run here (they make their PKI with openssl and probe with curl), or undefined. */
export const httpsToolsUnavailable = (): string | undefined =>
  (spawnSync('openssl', ['version']).error !== undefined ? "'openssl' is not installed (Debian package openssl)" : undefined) ??
  (spawnSync('curl', ['--version']).error !== undefined ? "'curl' is not installed (Debian package curl)" : undefined);

/** Credentials of each peer entry (what the others send to that peer), the same in every server's configuration. */
export const peerCredentials = (peer: PeerSpec): { readonly user: string; readonly password: string } => ({
  user: `ha-${peer.name}`,
  password: `secret-of-${peer.name}`,
});

export interface Probe {
  readonly status: number;
  readonly body: string;
  readonly error: string;
}

/**
 * One `ha-heartbeat` POSTed with curl from the clients' namespace (as a third party on the LAN) to a
 * server's HTTPS HA URL — its own listener or the kea-ctrl-agent in front of it — optionally with a
 * client certificate and Basic-auth credentials.
 */
export const probe = (pair: MixedPair, peer: PeerSpec, o: { readonly ca: string; readonly client?: TlsFiles; readonly auth?: string }): Probe => {
  const url = pair.server(peer.name).url;
  const args = ['netns', 'exec', pair.client.ns, 'curl', '-sS', '--max-time', '5', '--cacert', o.ca, '-o', '-', '-w', '\n%{http_code}'];
  if (o.client !== undefined) args.push('--cert', o.client.certFile, '--key', o.client.keyFile);
  if (o.auth !== undefined) args.push('-u', o.auth);
  args.push('-H', 'Content-Type: application/json', '--data', JSON.stringify({ command: 'ha-heartbeat', service: ['dhcp4'] }), url);
  const run = spawnSync('ip', args, { encoding: 'utf8' });
  const lines = run.stdout.trimEnd().split('\n');
  return { status: Number(lines.pop()), body: lines.join('\n'), error: run.stderr.trim() };
};
