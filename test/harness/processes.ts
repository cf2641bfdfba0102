import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';

/** A process started by a test, its output kept in a file (printed when a test fails). */
export interface Started {
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly pid: number;
  /** Resolves with the exit code (or signal name) once the process ended. */
  readonly exited: Promise<number | string>;
  output(): string;
  /** Resolves when `pattern` appears in (or the predicate accepts) the output; rejects on exit or after `timeoutMs`. */
  waitFor(pattern: RegExp | ((output: string) => boolean), timeoutMs?: number): Promise<void>;
  /** Signals only this process (by pid) and waits for it to end. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | string>;
}

/** Runs `command` in namespace `ns` (or in the test's own namespace when ns is undefined). */
export const startProcess = (
  ns: string | undefined,
  command: string,
  args: readonly string[],
  logFile: string,
  env: NodeJS.ProcessEnv = {},
): Started => {
  const [file, argv] = ns === undefined ? [command, [...args]] : ['ip', ['netns', 'exec', ns, command, ...args]];
  const child = spawn(file, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let exitValue: number | string | undefined;
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      exitValue = code ?? signal ?? -1;
      resolve(exitValue);
    }),
  );
  const output = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  let buffered = '';
  const onData = (d: Buffer) => (buffered += d.toString());
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const started: Started = {
    child,
    logFile,
    pid: child.pid ?? -1,
    exited,
    output: () => buffered || output(),
    waitFor: (pattern, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => (typeof pattern === 'function' ? pattern(buffered) : pattern.test(buffered));
        if (check()) return resolve();
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${String(pattern)} from ${command}; output:\n${buffered.slice(-3000)}`));
        }, timeoutMs);
        const onChunk = () => {
          if (check()) {
            cleanup();
            resolve();
          }
        };
        const onExit = () => {
          cleanup();
          reject(new Error(`${command} exited (${String(exitValue)}) before printing ${String(pattern)}; output:\n${buffered.slice(-3000)}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          child.stdout?.off('data', onChunk);
          child.stderr?.off('data', onChunk);
          child.off('exit', onExit);
        };
        child.stdout?.on('data', onChunk);
        child.stderr?.on('data', onChunk);
        child.on('exit', onExit);
      }),
    stop: async (signal = 'SIGTERM', timeoutMs = 10_000) => {
      if (exitValue !== undefined) return exitValue;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const value = await exited;
      clearTimeout(timer);
      return value;
    },
  };
  return started;
};
