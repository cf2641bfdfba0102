import { parseLease4Wire } from '@tandem/core';
import { leaseFromRecord } from '../ha/lease-record.js';
import { isJsonMap, type JsonValue } from './json.js';
import type { Lease4Arguments } from './lease4-json.js';
import { ipv4ToNumber, type SubnetCatalog, type SubnetInfo } from './subnet-catalog.js';

const invalid = (reason: string): Lease4Arguments => ({ kind: 'invalid', reason });

/**
 * The lease of a lease4-add / lease4-update, read by the HA core's shared wire parser (the one HA uses
 * for its own lease updates). Core knows no subnets, so the daemon first does what Kea's Lease4Parser does
 * with them: check a given `subnet-id` (it must exist and hold the address), or find the subnet by
 * address; and default `valid-lft` to the subnet's valid lifetime.
 */
export const parseLease4ArgumentsWithCore = (args: JsonValue | undefined, subnets: SubnetCatalog, nowS: number): Lease4Arguments => {
  const fromCore = (map: JsonValue | undefined): Lease4Arguments => {
    const parsed = parseLease4Wire(map, { compat: '2.2', nowS });
    if (!parsed.ok) return invalid(parsed.reason);
    const { lease: record, forceCreate } = parsed.value;
    // Kea 2.2 compat refuses states above 2, so the conversion cannot throw here.
    const lease = leaseFromRecord(record);
    return { kind: 'lease', lease, forceCreate };
  };

  // Whatever is wrong before the subnet matters (no map, no address, no hw-address) is core's to report.
  if (!isJsonMap(args)) return fromCore(args);
  const address = args['ip-address'];
  if (typeof address !== 'string' || ipv4ToNumber(address) === undefined || typeof args['hw-address'] !== 'string') return fromCore(args);

  const requested = args['subnet-id'];
  let subnet: SubnetInfo | undefined;
  if (requested !== undefined && requested !== 0) {
    if (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 0) return fromCore(args);
    subnet = subnets.byId(requested);
    if (subnet === undefined) return invalid(`Invalid subnet-id: No IPv4 subnet with subnet-id=${requested} currently configured.`);
    if (!subnet.contains(address)) return invalid(`The address ${address} does not belong to subnet ${subnet.prefix}, subnet-id=${requested}`);
  } else {
    subnet = subnets.containing(address);
    if (subnet === undefined) return invalid(`subnet-id not specified and failed to find a subnet for address ${address}`);
  }
  return fromCore({ ...args, 'subnet-id': subnet.id, 'valid-lft': args['valid-lft'] ?? subnet.validLifetimeS });
};
