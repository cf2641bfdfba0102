/**
 * The `multi-threading` map (spec §5.3) and how Kea settles it against the DHCP server's own
 * threading at start-up (CFG-31).
 */
import { UINT32_MAX, type CompatProfile } from './compat.js';
import { fail } from './errors.js';
import { childPath } from './json-path.js';
import { hasMember, isJsonMap, member, readBoolean, readUnsigned, rejectUnknownKeys, type JsonMap } from './json-reader.js';
import type { MultiThreadingConfig } from './types.js';

const MULTI_THREADING_KEYS: ReadonlySet<string> = new Set([
  'enable-multi-threading',
  'http-dedicated-listener',
  'http-listener-threads',
  'http-client-threads',
]);

export function readMultiThreading(relationship: JsonMap, relationshipPath: string, profile: CompatProfile): MultiThreadingConfig {
  const path = childPath(relationshipPath, 'multi-threading');
  const map = hasMember(relationship, 'multi-threading') ? member(relationship, 'multi-threading') : {};
  if (!isJsonMap(map)) fail(path, 'multi-threading-not-map', 'multi-threading configuration must be a map');
  rejectUnknownKeys(map, MULTI_THREADING_KEYS, path, 'multi-threading configuration');
  return {
    enableMultiThreading: readBoolean(map, 'enable-multi-threading', path, profile.defaultEnableMultiThreading),
    httpDedicatedListener: readBoolean(map, 'http-dedicated-listener', path, profile.defaultHttpDedicatedListener),
    httpListenerThreads: readUnsigned(map, 'http-listener-threads', path, 0, UINT32_MAX),
    httpClientThreads: readUnsigned(map, 'http-client-threads', path, 0, UINT32_MAX),
  };
}

/** How the DHCP server itself runs; the shell knows this, the core does not. */
export interface DhcpThreading {
  /** The server's own `multi-threading.enable-multi-threading`. */
  readonly multiThreading: boolean;
  /** The server's `thread-pool-size`; 0 means "detect". */
  readonly threadPoolSize: number;
  /** What detection yields on this machine (e.g. `os.availableParallelism()`); 0 if unknown. */
  readonly detectedThreadCount: number;
}

/**
 * HA multi-threading in force: off (quietly, as Kea only logs it) unless the DHCP server is
 * multi-threaded with a known thread count; thread counts of 0 take the DHCP thread count.
 * The dedicated listener runs only when both flags of the result are true.
 */
export function resolveMultiThreading(configured: MultiThreadingConfig, dhcp: DhcpThreading): MultiThreadingConfig {
  if (!configured.enableMultiThreading) return configured;
  const dhcpThreads = dhcp.threadPoolSize > 0 ? dhcp.threadPoolSize : dhcp.detectedThreadCount;
  if (!dhcp.multiThreading || dhcpThreads <= 0) return { ...configured, enableMultiThreading: false };
  return {
    ...configured,
    httpListenerThreads: configured.httpListenerThreads === 0 ? dhcpThreads : configured.httpListenerThreads,
    httpClientThreads: configured.httpClientThreads === 0 ? dhcpThreads : configured.httpClientThreads,
  };
}

export function dedicatedListenerActive(effective: MultiThreadingConfig): boolean {
  return effective.enableMultiThreading && effective.httpDedicatedListener;
}
