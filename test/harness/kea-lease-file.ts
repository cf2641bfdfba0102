import { readFileSync } from 'node:fs';

/** A row of Kea's DHCPv4 memfile CSV as written by Kea 2.2 (and by Tandem). */
export interface LeaseRow {
  readonly address: string;
  readonly hwaddr: string;
  readonly clientId: string;
  readonly validLifetime: number;
  readonly expire: number;
  readonly subnetId: number;
  readonly state: number;
}

/**
 * The leases a memfile holds after replaying it the way Kea does: rows are appended, the last row for an
 * address wins, and a row with valid lifetime 0 records a deletion. Written independently of
 * @tandem/leases so tests read the file with a second implementation.
 */
export const activeLeases = (file: string): Map<string, LeaseRow> => {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  const header = lines.shift();
  if (header === undefined || !header.startsWith('address,hwaddr,client_id,valid_lifetime,expire,subnet_id')) {
    throw new Error(`${file} does not start with Kea's DHCPv4 lease file header: ${header}`);
  }
  const leases = new Map<string, LeaseRow>();
  for (const line of lines) {
    const f = line.split(',');
    const row: LeaseRow = {
      address: f[0] as string,
      hwaddr: f[1] as string,
      clientId: f[2] as string,
      validLifetime: Number(f[3]),
      expire: Number(f[4]),
      subnetId: Number(f[5]),
      state: Number(f[9]),
    };
    if (row.validLifetime === 0) leases.delete(row.address);
    else leases.set(row.address, row);
  }
  return leases;
};
