import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppendLog } from '../src/append-log.js';

const root = mkdtempSync(join(tmpdir(), 'tandem-append-log-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The real file handle, with its fdatasync calls counted. */
const countingSyncs = (handle: FileHandle): { handle: FileHandle; syncs: () => number } => {
  let syncs = 0;
  const counted = new Proxy(handle, {
    get(target, property) {
      if (property === 'datasync') return () => (syncs++, target.datasync());
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { handle: counted, syncs: () => syncs };
};

describe('AppendLog group commit', () => {
  it('makes a burst of appends durable with far fewer fdatasyncs than rows, keeping their order', async () => {
    const path = join(root, 'burst.log');
    const { handle, syncs } = countingSyncs(await open(path, 'a'));
    const log = new AppendLog(handle, path);
    await Promise.all(Array.from({ length: 500 }, (_, i) => log.append(`${i}\n`)));
    expect(readFileSync(path, 'utf8')).toBe(Array.from({ length: 500 }, (_, i) => `${i}\n`).join(''));
    expect(syncs()).toBeGreaterThanOrEqual(1);
    expect(syncs()).toBeLessThan(50);
    await log.close();
  });

  it('holds writes for a task that swaps the file, then writes what queued meanwhile to the new file', async () => {
    const first = join(root, 'first.log');
    const second = join(root, 'second.log');
    const log = new AppendLog(await open(first, 'a'), first);
    await log.append('a\n');
    let queued: Promise<void> = Promise.resolve();
    await log.withWritesHeld(async () => {
      queued = log.append('b\n');
      await log.replaceHandle(await open(second, 'a')).close();
    });
    await queued;
    expect(readFileSync(first, 'utf8')).toBe('a\n');
    expect(readFileSync(second, 'utf8')).toBe('b\n');
    await log.close();
  });

  it('fails for good when the disk refuses a write: that append and every later one reject, naming the file', async () => {
    const log = new AppendLog(await open('/dev/full', 'a'), 'lease file /dev/full');
    await expect(log.append('row\n')).rejects.toThrow(/^lease file \/dev\/full: .*ENOSPC.*no further lease changes are accepted until restart$/);
    expect(log.failed).toBeInstanceOf(Error);
    await expect(log.append('next\n')).rejects.toBe(log.failed);
    await expect(log.sync()).rejects.toBe(log.failed);
    await log.close();
  });
});
