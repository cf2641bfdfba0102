import type { Dhcp4ServerConfig } from '@tandem/dhcp4';
import { subnetInfo, type SubnetInfo } from '../commands/subnet-catalog.js';

/** The subnets lease commands validate against, read from @tandem/dhcp4's parsed configuration. */
export const dhcpSubnets = (config: Dhcp4ServerConfig): SubnetInfo[] =>
  config.subnets.map((s) => subnetInfo(s.id, s.subnet, s.lifetimes.validLifetimeS));

export interface ReclamationSettings {
  /** 0 disables periodic reclamation. */
  readonly timerWaitS: number;
  /** 0 means no limit per run. */
  readonly maxLeases: number;
}

export const reclamationSettings = (config: Dhcp4ServerConfig): ReclamationSettings => ({
  timerWaitS: config.expiredLeasesProcessing.reclaimTimerWaitTimeS,
  maxLeases: config.expiredLeasesProcessing.maxReclaimLeases,
});
