/** What lease commands need to know about configured subnets (Kea's Lease4Parser checks). */
export interface SubnetInfo {
  readonly id: number;
  /** `a.b.c.d/len`, as Kea prints a subnet in error texts. */
  readonly prefix: string;
  readonly validLifetimeS: number;
  contains(address: string): boolean;
}

export interface SubnetCatalog {
  byId(id: number): SubnetInfo | undefined;
  containing(address: string): SubnetInfo | undefined;
}

export const ipv4ToNumber = (text: string): number | undefined => {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
};

export const numberToIpv4 = (value: number): string =>
  `${(value >>> 24) & 255}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;

/** A subnet given by its prefix text; the catalog the daemon builds from the parsed subnet4 list. */
export const subnetInfo = (id: number, prefix: string, validLifetimeS: number): SubnetInfo => {
  const [base, lenText] = prefix.split('/');
  const baseNumber = ipv4ToNumber(base ?? '');
  const length = Number(lenText);
  if (baseNumber === undefined || !Number.isInteger(length) || length < 0 || length > 32) {
    throw new Error(`subnet ${id}: '${prefix}' is not an IPv4 prefix`);
  }
  const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
  const network = (baseNumber & mask) >>> 0;
  return {
    id,
    prefix,
    validLifetimeS,
    contains: (address) => {
      const n = ipv4ToNumber(address);
      return n !== undefined && ((n & mask) >>> 0) === network;
    },
  };
};

export const subnetCatalog = (subnets: readonly SubnetInfo[]): SubnetCatalog => {
  const byId = new Map(subnets.map((s) => [s.id, s] as const));
  return {
    byId: (id) => byId.get(id),
    containing: (address) => subnets.find((s) => s.contains(address)),
  };
};
