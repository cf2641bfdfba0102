import { KEA_HA_HOOK, KEA_LEASE_CMDS_HOOK } from '../../harness/kea-ha.js';

/**
 * Configuration documents for a mixed HA relationship: every server — tandemd or Kea 2.2 — gets the
 * same `high-availability` relationship (mode, peers, URLs, roles, timers) with only
 * `this-server-name` differing, as an operator shares one HA section between the servers. The
 * Kea-only parts are the transport: HA multi-threading with its dedicated listener (Kea core MT with
 * 2 threads, as the kea-wire captures), or kea-ctrl-agent in front of a single-threaded kea-dhcp4.
 */
export type Implementation = 'tandem' | 'kea';
/**
 * How a peer is reached at its URL: the dedicated listener inside the server (Kea: HA+MT; tandemd:
 * its own listener), or kea-ctrl-agent forwarding to the server's unix control socket.
 */
export type KeaTransport = 'dedicated' | 'ctrl-agent';
export type Role = 'primary' | 'secondary' | 'standby' | 'backup';
export type Mode = 'load-balancing' | 'hot-standby' | 'passive-backup';

export interface PeerSpec {
  readonly name: string;
  readonly role: Role;
  readonly impl: Implementation;
  /** 'dedicated' by default. */
  readonly transport?: KeaTransport;
  /** Last octet of 198.18.0.x. */
  readonly octet: number;
  readonly autoFailover?: boolean;
}

export interface Timers {
  readonly heartbeatDelayMs: number;
  readonly maxResponseDelayMs: number;
  readonly maxAckDelayMs: number;
  readonly maxUnackedClients: number;
}

export interface RelationshipSpec {
  readonly mode: Mode;
  readonly peers: readonly PeerSpec[];
  readonly timers?: Partial<Timers>;
  readonly syncPageLimit?: number;
  readonly syncTimeoutMs?: number;
  readonly delayedUpdatesLimit?: number;
  readonly waitBackupAck?: boolean;
  readonly pause?: readonly { readonly state: string; readonly pause: 'always' | 'once' | 'never' }[];
  readonly validLifetimeS?: number;
  /**
   * The subnet (id 1), 198.18.0.0/16 by default; a larger one such as 198.18.0.0/15 (RFC 2544's
   * benchmarking range) leaves room for more pre-loaded leases. The LAN itself stays a /16.
   */
  readonly subnet?: string;
  /**
   * HTTPS between the peers: every URL becomes `https://`, and each server gets relationship-level
   * `trust-anchor`/`cert-file`/`key-file` (its own certificate), keyed by server name.
   */
  readonly tls?: Readonly<Record<string, TlsFiles>>;
  /** Kea's `require-client-certs` (default true) when `tls` is set. */
  readonly requireClientCerts?: boolean;
  /**
   * Basic-auth credentials of a peer entry as `self` configures them (what `self` sends to `peer`);
   * undefined leaves the entry without `basic-auth-user`.
   */
  readonly basicAuth?: (self: PeerSpec, peer: PeerSpec) => BasicAuth | undefined;
}

export interface TlsFiles {
  readonly trustAnchor: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface BasicAuth {
  readonly user: string;
  readonly password: string;
}

/** The short timers of the interop tests: heartbeat 1 s, interrupted after 3 s, failure confirmed at once. */
export const INTEROP_TIMERS: Timers = { heartbeatDelayMs: 1000, maxResponseDelayMs: 3000, maxAckDelayMs: 1000, maxUnackedClients: 0 };

/** tandemd and kea-ctrl-agent listen on 8000; Kea's dedicated HA listener on 8001 (as in the kea-wire captures). */
export const TANDEM_HA_PORT = 8000;
export const KEA_AGENT_PORT = 8000;
export const KEA_DEDICATED_PORT = 8001;

export const SUBNET = '198.18.0.0/16';
export const SUBNET_ID = 1;

/**
 * Load-balancing pools: each active allocates from its scope's half (Kea's recommended split), so an
 * address tells which scope's class the allocating server gave the client. Addresses from 198.18.64.0
 * up stay free for pre-loaded leases.
 */
export const LB_POOLS = [
  { pool: '198.18.1.0 - 198.18.20.255', clientClass: 'HA_server1' },
  { pool: '198.18.21.0 - 198.18.40.255', clientClass: 'HA_server2' },
] as const;
export const SINGLE_POOL = [{ pool: '198.18.1.0 - 198.18.40.255' }] as const;

export const peerAddress = (peer: PeerSpec): string => `198.18.0.${peer.octet}`;

export const haPort = (peer: PeerSpec): number =>
  (peer.transport ?? 'dedicated') === 'ctrl-agent' ? KEA_AGENT_PORT : peer.impl === 'tandem' ? TANDEM_HA_PORT : KEA_DEDICATED_PORT;

export const peerUrl = (peer: PeerSpec, scheme: 'http' | 'https' = 'http'): string => `${scheme}://${peerAddress(peer)}:${haPort(peer)}/`;

export const haRelationship = (spec: RelationshipSpec, self: PeerSpec): Record<string, unknown> => {
  const t = { ...INTEROP_TIMERS, ...spec.timers };
  const dedicated = self.impl === 'kea' && (self.transport ?? 'dedicated') === 'dedicated';
  // tandemd opens its own listener unless the relationship turns the dedicated listener off, as Kea 2.2 reads it.
  const agentInFrontOfTandem = self.impl === 'tandem' && self.transport === 'ctrl-agent';
  return {
    'this-server-name': self.name,
    mode: spec.mode,
    'heartbeat-delay': t.heartbeatDelayMs,
    'max-response-delay': t.maxResponseDelayMs,
    'max-ack-delay': t.maxAckDelayMs,
    'max-unacked-clients': t.maxUnackedClients,
    'sync-timeout': spec.syncTimeoutMs ?? 30_000,
    ...(spec.syncPageLimit !== undefined ? { 'sync-page-limit': spec.syncPageLimit } : {}),
    ...(spec.delayedUpdatesLimit !== undefined ? { 'delayed-updates-limit': spec.delayedUpdatesLimit } : {}),
    ...(spec.waitBackupAck !== undefined ? { 'wait-backup-ack': spec.waitBackupAck } : {}),
    ...(spec.pause !== undefined ? { 'state-machine': { states: spec.pause } } : {}),
    ...tlsParameters(spec, self),
    ...(dedicated
      ? { 'multi-threading': { 'enable-multi-threading': true, 'http-dedicated-listener': true, 'http-listener-threads': 2, 'http-client-threads': 2 } }
      : agentInFrontOfTandem
        ? { 'multi-threading': { 'enable-multi-threading': false, 'http-dedicated-listener': false } }
        : {}),
    peers: spec.peers.map((p) => {
      const auth = spec.basicAuth?.(self, p);
      return {
        name: p.name,
        url: peerUrl(p, spec.tls !== undefined ? 'https' : 'http'),
        role: p.role,
        'auto-failover': p.autoFailover ?? true,
        ...(auth !== undefined ? { 'basic-auth-user': auth.user, 'basic-auth-password': auth.password } : {}),
      };
    }),
  };
};

const tlsParameters = (spec: RelationshipSpec, self: PeerSpec): Record<string, unknown> => {
  if (spec.tls === undefined) return {};
  const files = spec.tls[self.name];
  if (files === undefined) throw new Error(`the relationship uses TLS but names no certificate for ${self.name}`);
  return {
    'trust-anchor': files.trustAnchor,
    'cert-file': files.certFile,
    'key-file': files.keyFile,
    ...(spec.requireClientCerts !== undefined ? { 'require-client-certs': spec.requireClientCerts } : {}),
  };
};

export interface ServerFiles {
  readonly iface: string;
  readonly leaseFile: string;
  readonly controlSocket: string;
}

/** The `{"Dhcp4": ...}` document of one server of the relationship. */
export const dhcp4Document = (spec: RelationshipSpec, self: PeerSpec, files: ServerFiles): object => {
  const pools = spec.mode === 'load-balancing' ? LB_POOLS : SINGLE_POOL;
  const dedicated = self.impl === 'kea' && (self.transport ?? 'dedicated') === 'dedicated';
  return {
    Dhcp4: {
      // Raw sockets: Kea then receives the relay's broadcasts as well as unicast (tandemd accepts the key).
      'interfaces-config': { interfaces: [files.iface], 'dhcp-socket-type': 'raw' },
      'lease-database': { type: 'memfile', name: files.leaseFile, persist: true, 'lfc-interval': 0 },
      'control-socket': { 'socket-type': 'unix', 'socket-name': files.controlSocket },
      'valid-lifetime': spec.validLifetimeS ?? 3600,
      ...(dedicated ? { 'multi-threading': { 'enable-multi-threading': true, 'thread-pool-size': 2, 'packet-queue-size': 64 } } : {}),
      subnet4: [
        {
          id: SUBNET_ID,
          subnet: spec.subnet ?? SUBNET,
          pools: pools.map((p) => ({ pool: p.pool, ...('clientClass' in p ? { 'client-class': p.clientClass } : {}) })),
        },
      ],
      'hooks-libraries': [
        { library: KEA_LEASE_CMDS_HOOK },
        { library: KEA_HA_HOOK, parameters: { 'high-availability': [haRelationship(spec, self)] } },
      ],
      loggers: [{ name: 'kea-dhcp4', severity: 'INFO', output_options: [{ output: 'stdout' }] }],
    },
  };
};
