import { open } from 'node:fs/promises';
import { parseIpv4 } from './ipv4.js';
import { interpretHeader, parseLeaseRow, type LeaseFileSchema } from './lease-file-format.js';
import type { Lease4 } from './lease.js';
import { LeaseTable } from './lease-table.js';

/** The files of one memfile database, named as Kea's Memfile_LeaseMgr and kea-lfc name them. */
export interface LeaseFileNames {
  /** The live append log. */
  readonly current: string;
  /** `.1`: the log as it was when the last compaction took it over. */
  readonly copy: string;
  /** `.2`: the output of the last finished compaction. */
  readonly previous: string;
  /** `.output`: a compaction's output while it is being written. */
  readonly output: string;
  /** `.completed`: a compaction's output once fully written, before it becomes `.2`. */
  readonly finish: string;
}

export const leaseFileNames = (path: string): LeaseFileNames => ({
  current: path,
  copy: `${path}.1`,
  previous: `${path}.2`,
  output: `${path}.output`,
  finish: `${path}.completed`,
});

export interface LeaseFileFacts {
  /** Undefined when the file holds no header (it is empty or blank). */
  readonly schema: LeaseFileSchema | undefined;
  /** False when the last line has no line feed: a write cut short by a crash, or a hand edit. */
  readonly endsWithNewline: boolean;
}

export type RowWarning = (file: string, line: number, reason: string) => void;

const CHUNK_BYTES = 1 << 20;

/**
 * Streams one lease file, calling `onLease` for each row that parses, in file order, and `onWarning`
 * with the 1-based line number for each row Kea would skip. Resolves undefined when the file does
 * not exist; rejects when its header is not a DHCPv4 lease file's, since appending to some other
 * file would damage it.
 */
export const readLeaseFile = async (
  file: string,
  onLease: (lease: Lease4) => void,
  onWarning: RowWarning,
): Promise<LeaseFileFacts | undefined> => {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let schema: LeaseFileSchema | undefined;
  let lineNumber = 0;
  let lastByte = 0x0a;
  const processLine = (buffer: Buffer, start: number, end: number): void => {
    lineNumber++;
    let text = buffer.toString('utf8', start, end);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    // Kea's CSVFile::next skips blank lines, the header's position included.
    if (text === '') return;
    const fields = text.split(',');
    if (schema === undefined) {
      const header = interpretHeader(fields);
      if (typeof header === 'string') {
        throw new Error(`lease file ${file}: line ${lineNumber} is not a Kea DHCPv4 lease file header: ${header}`);
      }
      schema = header;
      return;
    }
    const row = parseLeaseRow(fields, schema);
    if (row.ok) onLease(row.lease);
    else onWarning(file, lineNumber, row.reason);
  };
  try {
    let carry = Buffer.alloc(0);
    const chunk = Buffer.alloc(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      lastByte = chunk[bytesRead - 1]!;
      const buffer = carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      let start = 0;
      for (let end = buffer.indexOf(0x0a, start); end >= 0; end = buffer.indexOf(0x0a, start)) {
        processLine(buffer, start, end);
        start = end + 1;
      }
      // The chunk buffer is reused by the next read, so the unfinished line is copied out.
      carry = Buffer.from(buffer.subarray(start));
    }
    if (carry.length > 0) processLine(carry, 0, carry.length);
  } finally {
    await handle.close();
  }
  return { schema, endsWithNewline: lastByte === 0x0a };
};

/** Applies a row the way LeaseFileLoader::load does: valid lifetime 0 deletes, anything else replaces. */
export const applyRow = (table: LeaseTable, lease: Lease4): void => {
  const address = parseIpv4(lease.address)!;
  if (lease.validLifetime === 0) table.remove(address);
  else table.put(address, lease);
};

export interface LoadedLeaseFiles {
  /** Facts about the live log, undefined when it does not exist. */
  readonly current: LeaseFileFacts | undefined;
  /** A compaction was interrupted: `.completed` or `.1` is present. */
  readonly interruptedCompaction: boolean;
}

/**
 * Loads a memfile database the way Memfile_LeaseMgr::loadLeasesFromFiles does: `.completed` if a
 * compaction finished writing it, otherwise `.2` then `.1`, and always the live file last; later rows
 * win. Every state a crash can leave the files in (see MemfileLeaseStore.compact) loads to the same
 * leases.
 */
export const loadLeaseFiles = async (names: LeaseFileNames, table: LeaseTable, onWarning: RowWarning): Promise<LoadedLeaseFiles> => {
  const apply = (lease: Lease4): void => applyRow(table, lease);
  const finish = await readLeaseFile(names.finish, apply, onWarning);
  let copy: LeaseFileFacts | undefined;
  if (finish === undefined) {
    await readLeaseFile(names.previous, apply, onWarning);
    copy = await readLeaseFile(names.copy, apply, onWarning);
  }
  const current = await readLeaseFile(names.current, apply, onWarning);
  return { current, interruptedCompaction: finish !== undefined || copy !== undefined };
};

/**
 * The leases a memfile database at `path` holds, in ascending address order, read without changing
 * any file — for tools and for checking what a crashed process left behind.
 */
export const loadMemfileLeases = async (path: string, onWarning: RowWarning = () => {}): Promise<Lease4[]> => {
  const table = new LeaseTable();
  await loadLeaseFiles(leaseFileNames(path), table, onWarning);
  const leases: Lease4[] = [];
  table.forEachInAddressOrder((lease) => leases.push(lease));
  return leases;
};
