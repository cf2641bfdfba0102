import type { JsonMap, Lease4Record } from '@tandem/core';
import type { Lease4, LeaseState } from '@tandem/leases';

/**
 * The lease store's `Lease4` and the core's wire-neutral `Lease4Record` carry the same facts under
 * different names (units last in the core's). Only the lease state differs in range: the core
 * also knows HEAD's released state 3, which a Kea 2.2 store cannot hold.
 */
export const leaseToRecord = (lease: Lease4): Lease4Record => ({
  address: lease.address,
  hwAddress: lease.hwAddress,
  ...(lease.clientId !== undefined ? { clientId: lease.clientId } : {}),
  validLifetimeS: lease.validLifetime,
  clttS: lease.cltt,
  subnetId: lease.subnetId,
  fqdnFwd: lease.fqdnFwd,
  fqdnRev: lease.fqdnRev,
  hostname: lease.hostname,
  state: lease.state,
  // Both sides hold a JSON map read from the wire or the lease file.
  ...(lease.userContext !== undefined ? { userContext: lease.userContext as JsonMap } : {}),
});

/** Throws a RangeError for a lease in a state the store cannot record (released, HEAD only). */
export const leaseFromRecord = (record: Lease4Record): Lease4 => {
  if (record.state > 2) {
    throw new RangeError(`lease ${record.address} is in state ${record.state} (released), which a Kea 2.2 lease store cannot hold`);
  }
  return {
    address: record.address,
    hwAddress: record.hwAddress,
    ...(record.clientId !== undefined ? { clientId: record.clientId } : {}),
    validLifetime: record.validLifetimeS,
    cltt: record.clttS,
    subnetId: record.subnetId,
    fqdnFwd: record.fqdnFwd,
    fqdnRev: record.fqdnRev,
    hostname: record.hostname,
    state: record.state as LeaseState,
    ...(record.userContext !== undefined ? { userContext: record.userContext } : {}),
  };
};
