/**
 * The validated, immutable form of Kea's `high-availability` hook parameters.
 * Everything downstream of the parser trusts these values; nothing re-checks them.
 */

export type HaMode = 'load-balancing' | 'hot-standby' | 'passive-backup';
export type PeerRole = 'primary' | 'secondary' | 'standby' | 'backup';
export type PauseMode = 'always' | 'once' | 'never';

/** The twelve state labels that appear on the wire (spec §1.2). */
export const STATE_LABELS = [
  'backup',
  'communication-recovery',
  'hot-standby',
  'load-balancing',
  'in-maintenance',
  'partner-down',
  'partner-in-maintenance',
  'passive-backup',
  'ready',
  'syncing',
  'terminated',
  'waiting',
] as const;
export type StateLabel = (typeof STATE_LABELS)[number];

/** Kea accepts `unavailable` in the state-machine pause list even though no server is ever in it. */
export type PausableLabel = StateLabel | 'unavailable';

/** Which Kea release's limits and defaults the parser applies (spec §5, §12). */
export type KeaCompat = '2.2' | 'head';

export interface TlsConfig {
  readonly trustAnchor: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface BasicAuth {
  readonly user: string;
  readonly password: string;
}

export interface PeerUrl {
  /** The URL text exactly as configured. */
  readonly href: string;
  readonly scheme: 'http' | 'https';
  /** IP literal without brackets. */
  readonly host: string;
  readonly family: 4 | 6;
  readonly port: number;
}

export interface PeerConfig {
  readonly name: string;
  readonly url: PeerUrl;
  readonly role: PeerRole;
  readonly autoFailover: boolean;
  /** Credentials this server sends to that peer; absent when basic-auth-user is empty or unset. */
  readonly basicAuth?: BasicAuth;
  /** Effective TLS parameters after inheritance from the relationship; absent when TLS is off for this peer. */
  readonly tls?: TlsConfig;
}

export interface MultiThreadingConfig {
  readonly enableMultiThreading: boolean;
  readonly httpDedicatedListener: boolean;
  readonly httpListenerThreads: number;
  readonly httpClientThreads: number;
}

export interface HaConfig {
  readonly thisServerName: string;
  readonly mode: HaMode;
  /** Ordered as Kea orders them: primary, then secondary or standby, then backups in config order. */
  readonly peers: readonly PeerConfig[];
  /** This server's own peer entry. */
  readonly thisServer: PeerConfig;
  /** The failover partner: the first peer that is neither this server nor a backup; absent in passive-backup mode. */
  readonly partner?: PeerConfig;
  readonly sendLeaseUpdates: boolean;
  readonly syncLeases: boolean;
  readonly syncTimeoutMs: number;
  readonly syncPageLimit: number;
  readonly delayedUpdatesLimit: number;
  readonly heartbeatDelayMs: number;
  readonly maxResponseDelayMs: number;
  readonly maxAckDelayMs: number;
  readonly maxUnackedClients: number;
  /** HEAD ≥2.3.1 only; 0 disables. Kea 2.2 has no such parameter (parsed as 0). */
  readonly maxRejectedLeaseUpdates: number;
  readonly waitBackupAck: boolean;
  readonly requireClientCerts: boolean;
  readonly restrictCommands: boolean;
  readonly tls?: TlsConfig;
  readonly multiThreading: MultiThreadingConfig;
  /** Pause setting for every label; `never` where the config is silent. */
  readonly stateMachine: Readonly<Record<PausableLabel, PauseMode>>;
}
