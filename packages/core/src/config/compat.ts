/**
 * What differs between Kea 2.2.0 and HEAD in the HA configuration (spec §5.1, §5.3, §12.1).
 * Everything else — keys, texts, checks — is shared.
 */
import { match } from 'ts-pattern';
import type { KeaCompat } from './types.js';

export const UINT16_MAX = 65_535;
export const UINT32_MAX = 4_294_967_295;

export interface CompatProfile {
  /** Upper bound of heartbeat-delay, max-response-delay and max-ack-delay (ms). */
  readonly timingMaxMs: number;
  readonly defaultMaxRejectedLeaseUpdates: number;
  readonly defaultRestrictCommands: boolean;
  readonly defaultEnableMultiThreading: boolean;
  readonly defaultHttpDedicatedListener: boolean;
  /** HEAD allows several hot-standby relationships (hub and spoke); 2.2.0 exactly one. */
  readonly multipleRelationships: boolean;
  readonly relationshipCountText: string;
  readonly relationshipNotMapText: string;
}

export function compatProfile(compat: KeaCompat): CompatProfile {
  return match(compat)
    .with('2.2', () => ({
      timingMaxMs: UINT16_MAX,
      // 2.2.0 has no such parameter; 0 is the value that disables the behaviour.
      defaultMaxRejectedLeaseUpdates: 0,
      defaultRestrictCommands: false,
      defaultEnableMultiThreading: false,
      defaultHttpDedicatedListener: false,
      multipleRelationships: false,
      relationshipCountText:
        'invalid number of configurations in the HA configuration list. Expected exactly one configuration',
      relationshipNotMapText: 'expected list of maps in the HA configuration',
    }))
    .with('head', () => ({
      timingMaxMs: UINT32_MAX,
      defaultMaxRejectedLeaseUpdates: 10,
      defaultRestrictCommands: true,
      defaultEnableMultiThreading: true,
      defaultHttpDedicatedListener: true,
      multipleRelationships: true,
      relationshipCountText: 'a list of HA configurations must not be empty',
      relationshipNotMapText: 'HA configuration for a relationship must be a map',
    }))
    .exhaustive();
}
