import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMemfileLeases, type CompactionStep, type Lease4 } from '../src/index.js';

// A child process (test/fixtures/memfile-crash-child.mjs, running the built package) writes lease
// generations while compacting back to back; it is SIGKILLed at every compaction step and at random
// moments, and each time the files must hold every acknowledged change.

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const childScript = fileURLToPath(new URL('./fixtures/memfile-crash-child.mjs', import.meta.url));
const STABLE = 300;
const CHURN = 200;
const COLD = 100;
const GHOST = 100;

const root = mkdtempSync(join(tmpdir(), 'tandem-memfile-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(() => {
  execFileSync('npm', ['run', 'build', '-w', '@tandem/leases'], { cwd: repoRoot, stdio: 'pipe' });
  expect(existsSync(join(packageRoot, 'dist', 'index.js'))).toBe(true);
}, 120_000);

interface Run {
  readonly lastAcked: number | undefined;
  readonly pausedAt: string | undefined;
}

/**
 * Runs the child until `killWhen` says so (given each stdout line), SIGKILLs it, and reports the
 * last generation it acknowledged.
 */
const runChild = (path: string, crashAtStep: string, killWhen: (line: string, acked: number) => boolean | number): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, path], {
      env: { ...process.env, CRASH_AT_STEP: crashAtStep },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastAcked: number | undefined;
    let acks = 0;
    let pausedAt: string | undefined;
    let stderr = '';
    let buffered = '';
    let killing = false;
    const kill = (): void => {
      if (killing) return;
      killing = true;
      child.kill('SIGKILL');
    };
    const watchdog = setTimeout(kill, 15_000);
    child.stdout.setEncoding('utf8').on('data', (data: string) => {
      buffered += data;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [word, value] = line.split(' ');
        if (word === 'acked') {
          lastAcked = Number(value);
          acks++;
        }
        if (word === 'paused') pausedAt = value;
        if (killing) continue;
        const verdict = killWhen(line, acks);
        if (verdict === true) kill();
        else if (typeof verdict === 'number') {
          killing = true;
          setTimeout(() => child.kill('SIGKILL'), verdict);
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (data: string) => (stderr += data));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      if (signal !== 'SIGKILL') reject(new Error(`child exited (${code}) instead of being killed: ${stderr}`));
      else resolve({ lastAcked, pausedAt });
    });
  });

/** What must hold after generation `acked` was acknowledged and the next may have partly landed. */
const checkLeases = (leases: readonly Lease4[], acked: number): void => {
  const byAddress = new Map(leases.map((lease) => [lease.address, lease]));
  const allowed = [acked, acked + 1];
  for (let i = 0; i < STABLE; i++) {
    const lease = byAddress.get(`10.0.${i >> 8}.${i & 255}`);
    expect(lease, `stable lease ${i} after generation ${acked}`).toBeDefined();
    expect(allowed, `stable lease ${i}`).toContain(lease!.cltt);
    expect(lease!.hostname).toBe(`host-${i},gen-${lease!.cltt}`);
    expect(lease!.userContext).toEqual({ generation: lease!.cltt, note: 'a, b & c' });
  }
  for (let i = STABLE; i < STABLE + CHURN; i++) {
    const lease = byAddress.get(`10.0.${i >> 8}.${i & 255}`);
    // Present only as written by an odd generation that may be current; a lease a delete removed
    // must not come back from an older file.
    if (lease !== undefined) expect(allowed.filter((g) => g % 2 === 1), `churn lease ${i}`).toContain(lease.cltt);
    else expect(allowed.some((g) => g % 2 === 0), `churn lease ${i} missing`).toBe(true);
  }
  // Written once by generation 1 (ghosts deleted by generation 2), then only carried by compactions.
  for (let i = STABLE + CHURN; i < STABLE + CHURN + COLD + GHOST; i++) {
    const lease = byAddress.get(`10.0.${i >> 8}.${i & 255}`);
    const ghost = i >= STABLE + CHURN + COLD;
    if (!ghost) expect(lease?.cltt, `cold lease ${i}`).toBe(1);
    else if (acked >= 2) expect(lease, `ghost lease ${i} came back`).toBeUndefined();
    else if (lease !== undefined) expect(lease.cltt, `ghost lease ${i}`).toBe(1);
  }
  expect(leases).toHaveLength(byAddress.size);
};

const steps: readonly CompactionStep[] = [
  'rotated', 'output-partly-written', 'output-written', 'output-completed', 'previous-removed', 'copy-removed', 'finished',
];

/** Which leftover files prove the kill landed inside the named step. */
const leftoversAt: Readonly<Record<CompactionStep, { present: string[]; absent: string[] }>> = {
  'rotated': { present: ['.1'], absent: ['.completed'] },
  'output-partly-written': { present: ['.1', '.output'], absent: ['.completed'] },
  'output-written': { present: ['.1', '.output'], absent: ['.completed'] },
  'output-completed': { present: ['.1', '.completed'], absent: ['.output'] },
  'previous-removed': { present: ['.1', '.completed'], absent: ['.2'] },
  'copy-removed': { present: ['.completed'], absent: ['.1', '.2'] },
  'finished': { present: ['.2'], absent: ['.1', '.completed', '.output'] },
};

describe('MemfileLeaseStore survives kill -9 at any moment', () => {
  it('loses no acknowledged change when killed at each compaction step, then at random moments, over and over', async () => {
    const path = join(mkdtempSync(join(root, 'db-')), 'kea-leases4.csv');
    let acked = 0;
    const verify = async (run: Run): Promise<void> => {
      expect(run.lastAcked, 'the child acknowledged at least one generation').toBeDefined();
      acked = run.lastAcked!;
      const warnings: string[] = [];
      checkLeases(await loadMemfileLeases(path, (file, line, reason) => warnings.push(`${file}:${line} ${reason}`)), acked);
      // Only a row torn by the kill at the end of the live file may be unreadable.
      expect(warnings.filter((w) => !w.startsWith(`${path}:`))).toEqual([]);
    };

    for (const step of steps) {
      const run = await runChild(path, step, (line, acks) => acks >= 1 && line === `paused ${step}`);
      expect(run.pausedAt).toBe(step);
      for (const suffix of leftoversAt[step].present) expect(existsSync(path + suffix), `${path}${suffix} at ${step}`).toBe(true);
      for (const suffix of leftoversAt[step].absent) expect(existsSync(path + suffix), `${path}${suffix} at ${step}`).toBe(false);
      await verify(run);
    }

    // Random moments, derived from the iteration so a failure replays; the delay counts from an ack.
    for (let round = 0; round < 8; round++) {
      const delayMs = (round * 37) % 60;
      const run = await runChild(path, '', (line, acks) => (acks >= 2 && line.startsWith('acked') ? delayMs : false));
      await verify(run);
    }
    expect(acked).toBeGreaterThan(steps.length);
  }, 180_000);
});
