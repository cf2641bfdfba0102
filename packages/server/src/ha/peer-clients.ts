import { PeerClient, type PeerReply } from '@tandem/control';
import type { ControlRequest, HaConfig, PeerConfig } from '@tandem/core';

/**
 * One keep-alive HTTP client per other peer of the relationship, with the credentials and TLS
 * settings of that peer's entry (what this server presents *to* it, spec §5.2). Concurrent
 * requests to one peer share up to `PEER_CONNECTIONS` persistent connections.
 *
 * A receiving tandemd makes each lease durable before it answers, and its memfile store batches
 * the writes that arrive together into one fdatasync: the more lease updates in flight, the more
 * each sync carries. Measured on loopback with a loaded 2-core machine, 8 connections gave about
 * 430 updates/s, 32 about 770/s, 64 about 1300/s. Answers waiting for updates are bounded anyway
 * by the daemon's parked-packet-limit (256).
 */
export const PEER_CONNECTIONS = 64;

export class PeerClients {
  readonly #clients = new Map<string, PeerClient>();

  constructor(config: HaConfig) {
    for (const peer of config.peers) {
      if (peer.name === config.thisServerName) continue;
      this.#clients.set(peer.name, clientFor(peer));
    }
  }

  /** Sends to a named peer; an unknown name is a transport failure, so every effect still gets its result. */
  send(peer: string, request: ControlRequest, timeoutMs: number): Promise<PeerReply> {
    const client = this.#clients.get(peer);
    if (client === undefined) {
      return Promise.resolve({ kind: 'transport-error', failure: 'other', message: `no peer named '${peer}' is configured` });
    }
    return client.send(request, { timeoutMs });
  }

  has(peer: string): boolean {
    return this.#clients.has(peer);
  }

  /** Requests still under way end with a transport error. */
  close(): void {
    for (const client of this.#clients.values()) client.close();
  }
}

const clientFor = (peer: PeerConfig): PeerClient =>
  new PeerClient({
    url: peer.url.href,
    ...(peer.basicAuth !== undefined ? { basicAuth: peer.basicAuth } : {}),
    ...(peer.tls !== undefined ? { tls: { trustAnchor: peer.tls.trustAnchor, certFile: peer.tls.certFile, keyFile: peer.tls.keyFile } } : {}),
    maxSockets: PEER_CONNECTIONS,
  });
