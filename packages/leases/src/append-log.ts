import type { FileHandle } from 'node:fs/promises';

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * An append-only file with group commit: rows appended while one write-and-fdatasync is under way
 * are written together by the next one, so every row's promise resolves only once the row is on
 * stable storage, and a burst of N rows costs a few fdatasyncs rather than N.
 *
 * After any write or sync error the log is failed for good: what reached the disk is unknown (a
 * failed fsync may have dropped dirty pages), so every pending and later append rejects and the
 * owner must be restarted to reload from the file.
 */
export class AppendLog {
  private pending: string[] = [];
  private waiters: Waiter[] = [];
  private draining: Promise<void> | undefined;
  private holds = 0;
  private failure: Error | undefined;

  constructor(
    private handle: FileHandle,
    private readonly describe: string,
  ) {}

  get failed(): Error | undefined {
    return this.failure;
  }

  /** Appends `text` (whole lines); resolves once it is durable. */
  append(text: string): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.pending.push(text);
      this.waiters.push({ resolve, reject });
      this.startDraining();
    });
  }

  /** Resolves once everything appended before the call is durable. */
  sync(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.pending.length === 0 && this.draining === undefined) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.startDraining();
    });
  }

  /**
   * Runs `task` while no write is in flight and none starts; appends made meanwhile queue up and
   * are written after it. `task` may swap the file with `replaceHandle`.
   */
  async withWritesHeld<T>(task: () => Promise<T>): Promise<T> {
    this.holds++;
    try {
      while (this.draining !== undefined) await this.draining;
      return await task();
    } finally {
      this.holds--;
      this.startDraining();
    }
  }

  /** Directs later writes to `handle`; only inside `withWritesHeld`. Returns the previous handle. */
  replaceHandle(handle: FileHandle): FileHandle {
    const previous = this.handle;
    this.handle = handle;
    return previous;
  }

  /** Marks the log failed, e.g. when its file could not be replaced; pending appends reject. */
  fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = new Error(`${this.describe}: ${error.message}; no further lease changes are accepted until restart`, { cause: error });
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(this.failure);
  }

  /** Waits for pending appends, then closes the file. */
  async close(): Promise<void> {
    // A failed log has already rejected its waiters; closing still releases the file.
    await this.sync().catch(() => undefined);
    await this.handle.close();
  }

  private startDraining(): void {
    if (this.draining !== undefined || this.holds > 0 || this.waiters.length === 0 || this.failure !== undefined) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      this.startDraining();
    });
  }

  private async drain(): Promise<void> {
    while (this.waiters.length > 0 && this.holds === 0 && this.failure === undefined) {
      const text = this.pending.join('');
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      try {
        if (text.length > 0) await writeFully(this.handle, Buffer.from(text, 'utf8'));
        await this.handle.datasync();
      } catch (error) {
        // The batch's own waiters are rejected too, then anything queued behind it.
        this.waiters = [...waiters, ...this.waiters];
        this.fail(error as Error);
        return;
      }
      for (const waiter of waiters) waiter.resolve();
    }
  }
}

/** The file is opened for appending, so each write lands at the end whatever the position. */
const writeFully = async (handle: FileHandle, bytes: Buffer): Promise<void> => {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, null);
    offset += bytesWritten;
  }
};
