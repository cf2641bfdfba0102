import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AppendLog } from './append-log.js';
import { LEASE4_HEADER, renderLeaseRow } from './lease-file-format.js';
import { leaseFileNames, loadLeaseFiles, type LeaseFileNames } from './lease-file-reader.js';
import { LeaseTable } from './lease-table.js';
import { LEASE_STATE_DECLINED, type Lease4 } from './lease.js';
import {
  requireAddress,
  requireExpiredQuery,
  requirePageLimit,
  requireValidLease,
} from './store-arguments.js';
import type { LeaseStore } from './store.js';

export interface MemfileOptions {
  /** The live lease file, Kea's `name` (e.g. /var/lib/kea/kea-leases4.csv). */
  readonly path: string;
  /** Kea's `persist`: false keeps leases in memory only and touches no file. */
  readonly persist: boolean;
  /** Kea's `lfc-interval`: seconds between compactions; 0 disables the timer (compact() still works). */
  readonly lfcIntervalS: number;
  /** Told about rows skipped while loading, files rewritten, and failed scheduled compactions. */
  readonly onWarning?: (warning: MemfileWarning) => void;
  /**
   * Awaited after each step of a compaction, for progress logs — and for tests that stop the
   * process at a chosen step to show that no crash point loses a lease.
   */
  readonly onCompactionStep?: (step: CompactionStep) => void | Promise<void>;
}

export type MemfileWarning =
  | { readonly kind: 'malformed-row'; readonly file: string; readonly line: number; readonly reason: string }
  | { readonly kind: 'incomplete-last-line'; readonly file: string }
  | { readonly kind: 'schema-converted'; readonly file: string; readonly headerColumns: number }
  | { readonly kind: 'compaction-failed'; readonly file: string; readonly error: Error };

/** The steps of a compaction, in order; `rotated` only when the live file was taken over. */
export type CompactionStep =
  | 'rotated'
  | 'output-partly-written'
  | 'output-written'
  | 'output-completed'
  | 'previous-removed'
  | 'copy-removed'
  | 'finished';

/** Timers take at most 2^31-1 ms; longer lfc-intervals are waited out in several of them. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const OUTPUT_CHUNK_LEASES = 4096;

const exists = async (file: string): Promise<boolean> => {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
};

/** Makes renames and new files in `directory` durable; skipped where directories cannot be synced. */
const syncDirectory = async (directory: string): Promise<void> => {
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw error;
  } finally {
    await handle?.close();
  }
};

const writeFully = async (handle: FileHandle, text: string): Promise<void> => {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, null);
    offset += bytesWritten;
  }
};

/** Opens the live file for appending, writing Kea 2.2's header first when the file is new or empty. */
const openLiveFile = async (file: string): Promise<FileHandle> => {
  const handle = await open(file, 'a');
  try {
    if ((await handle.stat()).size === 0) {
      await writeFully(handle, LEASE4_HEADER);
      await handle.datasync();
    }
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
};

/**
 * Kea's memfile lease backend: leases in memory (a LeaseTable), every change appended to a CSV file
 * in exactly the format of Kea 2.2's `kea-leases4.csv`, so a file moves between Kea and Tandem in
 * either direction. Durability, compaction and crash safety are described in the package README.
 */
export class MemfileLeaseStore implements LeaseStore {
  private readonly directory: string | undefined;
  private compaction: Promise<void> = Promise.resolve();
  private compacting = false;
  private liveFileIsKea22 = true;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private skippedRows = 0;

  private constructor(
    private readonly table: LeaseTable,
    private readonly log: AppendLog | undefined,
    private readonly names: LeaseFileNames | undefined,
    private readonly options: MemfileOptions,
  ) {
    this.directory = names === undefined ? undefined : dirname(names.current);
  }

  /**
   * Loads the lease files the way Kea does (finishing any compaction a crash interrupted, and
   * rewriting a file of another Kea version's format) and opens the live file for appending.
   * Rejects when a file exists but is not a DHCPv4 lease file.
   */
  static async open(options: MemfileOptions): Promise<MemfileLeaseStore> {
    const { path, persist, lfcIntervalS } = options;
    if (!Number.isInteger(lfcIntervalS) || lfcIntervalS < 0 || lfcIntervalS > 0xffff_ffff) {
      throw new RangeError(`memfile lease store: lfc-interval ${String(lfcIntervalS)} must be an integer from 0 to 4294967295 seconds`);
    }
    if (!persist) return new MemfileLeaseStore(new LeaseTable(), undefined, undefined, options);
    if (typeof path !== 'string' || path === '') {
      throw new TypeError('memfile lease store: the lease file path must be a non-empty string when persist is true');
    }

    const names = leaseFileNames(path);
    const table = new LeaseTable();
    let skippedRows = 0;
    const loaded = await loadLeaseFiles(names, table, (file, line, reason) => {
      skippedRows++;
      options.onWarning?.({ kind: 'malformed-row', file, line, reason });
    });

    const handle = await openLiveFile(path);
    const current = loaded.current;
    if (current !== undefined && !current.endsWithNewline) {
      // Rows appended after a torn last line would merge with it and be lost; end it first.
      options.onWarning?.({ kind: 'incomplete-last-line', file: path });
      try {
        await writeFully(handle, '\n');
        await handle.datasync();
      } catch (error) {
        await handle.close();
        throw error;
      }
    }
    if (loaded.current === undefined) await syncDirectory(dirname(path));

    const store = new MemfileLeaseStore(table, new AppendLog(handle, `lease file ${path}`), names, options);
    store.skippedRows = skippedRows;
    const schema = current?.schema;
    if (current !== undefined && schema?.current !== true) {
      store.liveFileIsKea22 = false;
      if (schema !== undefined) options.onWarning?.({ kind: 'schema-converted', file: path, headerColumns: schema.headerColumns });
    }
    // Like Kea's start-up LFC when a file needs conversion; a second pass is needed when the first
    // had to finish an interrupted compaction and so could not take the live file over.
    let needsCompaction = loaded.interruptedCompaction || !store.liveFileIsKea22;
    try {
      for (let pass = 0; needsCompaction && pass < 2; pass++) {
        await store.compact();
        needsCompaction = !store.liveFileIsKea22;
      }
    } catch (error) {
      await store.close();
      throw error;
    }
    if (lfcIntervalS > 0) store.scheduleCompaction(lfcIntervalS * 1000);
    return store;
  }

  /** Rows skipped while loading because Kea could not have read them either. */
  get malformedRows(): number {
    return this.skippedRows;
  }

  async get(address: string): Promise<Lease4 | undefined> {
    this.requireOpen();
    return this.table.get(requireAddress(address, 'lease lookup'));
  }

  async getByHwAddress(hwAddress: string): Promise<readonly Lease4[]> {
    this.requireOpen();
    return hwAddress === '' ? [] : this.table.withHwAddress(hwAddress);
  }

  async getByClientId(clientId: string): Promise<readonly Lease4[]> {
    this.requireOpen();
    return this.table.withClientId(clientId);
  }

  async add(lease: Lease4): Promise<boolean> {
    const address = this.requireStorable(lease);
    const row = renderLeaseRow(lease);
    if (!this.table.insert(address, lease)) return false;
    await this.log?.append(row);
    return true;
  }

  async update(lease: Lease4): Promise<boolean> {
    const address = this.requireStorable(lease);
    if (this.table.get(address) === undefined) return false;
    const row = renderLeaseRow(lease);
    this.table.put(address, lease);
    await this.log?.append(row);
    return true;
  }

  async delete(address: string): Promise<boolean> {
    this.requireWritable();
    const removed = this.table.remove(requireAddress(address, 'lease delete'));
    if (removed === undefined) return false;
    await this.log?.append(renderLeaseRow(removed, true));
    return true;
  }

  async page(from: string | 'start', limit: number): Promise<readonly Lease4[]> {
    this.requireOpen();
    requirePageLimit(limit);
    const after = from === 'start' ? undefined : requireAddress(from, 'lease page "from"');
    return this.table.pageAfter(after, limit);
  }

  async count(): Promise<number> {
    this.requireOpen();
    return this.table.size;
  }

  async expired(nowS: number, limit: number): Promise<readonly Lease4[]> {
    this.requireOpen();
    requireExpiredQuery(nowS, limit);
    return this.table.expiredBefore(nowS, limit);
  }

  async flush(): Promise<void> {
    this.requireOpen();
    await this.log?.sync();
  }

  /**
   * Rewrites the live set of leases as kea-lfc does, so the files stop growing with every change.
   * Runs after any compaction already under way; a no-op without persistence.
   */
  compact(): Promise<void> {
    this.requireOpen();
    if (this.log === undefined) return Promise.resolve();
    const run = this.compaction.then(() => this.compactNow());
    this.compaction = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    await this.compaction;
    await this.log?.close();
  }

  /**
   * The compaction, step by step, with what a restart would load after a crash at each point
   * (restarts read `.completed`, else `.2` then `.1`, and always the live file last; re-reading a row
   * that is also in an earlier file is harmless because later rows replace earlier ones):
   *
   * 1. With writes held (none in flight): take the live set S; if no earlier compaction was
   *    interrupted, rename the live file to `.1` and start a new one with a header, syncing the
   *    directory before any write goes to it. Every row written so far is in S; every later row goes
   *    to the new live file. Crash: `.2` + `.1` + live = the same rows as before.
   * 2. Write S to `.output` and fsync it. Crash: `.output` is ignored.
   * 3. Rename `.output` to `.completed`. Crash: `.completed` (S) + live.
   * 4. Remove `.2`, then `.1`. Crash: `.completed` still wins over them.
   * 5. Rename `.completed` to `.2`. Crash: `.2` (S) + live.
   *
   * When `.1` or `.completed` survive an interrupted compaction, step 1 leaves the live file in
   * place: S already holds everything, and re-reading the live file after it changes nothing.
   */
  private async compactNow(): Promise<void> {
    if (this.closed) return;
    const log = this.log!;
    const names = this.names!;
    const directory = this.directory!;
    if (log.failed !== undefined) throw log.failed;
    this.compacting = true;
    try {
      const takeOver = !(await exists(names.copy)) && !(await exists(names.finish));
      const snapshot: Lease4[] = [];
      await log.withWritesHeld(async () => {
        this.table.forEachInAddressOrder((lease) => snapshot.push(lease));
        if (!takeOver) return;
        await rename(names.current, names.copy);
        try {
          const fresh = await openLiveFile(names.current);
          await syncDirectory(directory);
          await log.replaceHandle(fresh).close();
          this.liveFileIsKea22 = true;
        } catch (error) {
          log.fail(error as Error);
          throw error;
        }
      });
      if (takeOver) await this.step('rotated');

      const output = await open(names.output, 'w');
      try {
        let text = LEASE4_HEADER;
        let index = 0;
        do {
          const end = Math.min(index + OUTPUT_CHUNK_LEASES, snapshot.length);
          for (; index < end; index++) text += renderLeaseRow(snapshot[index]!);
          await writeFully(output, text);
          if (text.startsWith(LEASE4_HEADER)) await this.step('output-partly-written');
          text = '';
        } while (index < snapshot.length);
        await output.sync();
      } finally {
        await output.close();
      }
      await this.step('output-written');
      await rename(names.output, names.finish);
      await syncDirectory(directory);
      await this.step('output-completed');
      await rm(names.previous, { force: true });
      await this.step('previous-removed');
      await rm(names.copy, { force: true });
      await this.step('copy-removed');
      await rename(names.finish, names.previous);
      await syncDirectory(directory);
      await this.step('finished');
    } finally {
      this.compacting = false;
    }
  }

  private async step(step: CompactionStep): Promise<void> {
    await this.options.onCompactionStep?.(step);
  }

  private scheduleCompaction(delayMs: number): void {
    const waitMs = Math.min(delayMs, MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      if (this.closed) return;
      if (delayMs > waitMs) {
        this.scheduleCompaction(delayMs - waitMs);
        return;
      }
      const intervalMs = this.options.lfcIntervalS * 1000;
      if (this.compacting) {
        this.scheduleCompaction(intervalMs);
        return;
      }
      this.compact()
        .catch((error: unknown) => {
          this.options.onWarning?.({ kind: 'compaction-failed', file: this.options.path, error: error as Error });
        })
        .finally(() => {
          if (!this.closed) this.scheduleCompaction(intervalMs);
        });
    }, waitMs);
    this.timer.unref();
  }

  private requireOpen(): void {
    if (this.closed) throw new Error(`memfile lease store ${this.options.path}: used after close()`);
  }

  private requireWritable(): void {
    this.requireOpen();
    const failure = this.log?.failed;
    if (failure !== undefined) throw failure;
  }

  /**
   * Besides the shape every store checks, Kea's CSVLeaseFile4 refuses to write (and to read) a
   * lease with neither hw-address nor client-id unless it is declined; refusing it here keeps the
   * file readable by Kea, with or without persistence.
   */
  private requireStorable(lease: Lease4): number {
    this.requireWritable();
    const address = requireValidLease(lease);
    if (lease.hwAddress === '' && lease.clientId === undefined && lease.state !== LEASE_STATE_DECLINED) {
      throw new TypeError(`lease ${JSON.stringify(lease.address)}: a lease that is not declined needs a hw-address or a client-id`);
    }
    return address;
  }
}
