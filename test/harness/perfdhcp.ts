import { spawn } from 'node:child_process';

/** One "***Statistics for: X***" block of perfdhcp's report. */
export interface ExchangeStats {
  readonly sent: number;
  readonly received: number;
  readonly drops: number;
  readonly rejectedLeases: number;
}

export interface PerfdhcpReport {
  /** Keyed by perfdhcp's own block names: `DISCOVER-OFFER`, `REQUEST-ACK`, `REQUEST-ACK (renewal)`, `RELEASE`. */
  readonly exchanges: Readonly<Record<string, ExchangeStats>>;
  /** "Rate: N 4-way exchanges/second". */
  readonly rate: number;
  readonly exitCode: number;
  readonly output: string;
}

/** Parses perfdhcp's (Kea 2.2) final report. Throws if it has no statistics block: perfdhcp failed to run. */
export const parsePerfdhcpReport = (output: string, exitCode: number): PerfdhcpReport => {
  const exchanges: Record<string, ExchangeStats> = {};
  const blocks = output.split(/\*\*\*Statistics for: /).slice(1);
  for (const block of blocks) {
    const name = block.slice(0, block.indexOf('***'));
    const number = (label: string) => {
      const m = new RegExp(`^${label}: (\\d+)`, 'm').exec(block);
      if (m === null) throw new Error(`perfdhcp block '${name}' has no '${label}' line:\n${block}`);
      return Number(m[1]);
    };
    exchanges[name] = { sent: number('sent packets'), received: number('received packets'), drops: number('drops'), rejectedLeases: number('rejected leases') };
  }
  if (blocks.length === 0) throw new Error(`perfdhcp printed no statistics (exit ${exitCode}):\n${output}`);
  const rate = Number(/^Rate: ([\d.]+)/m.exec(output)?.[1] ?? NaN);
  return { exchanges, rate, exitCode, output };
};

export interface PerfdhcpRun {
  readonly ns: string | undefined;
  /** Interface or local address (`-l`). */
  readonly local: string;
  /** Server address, or `all` for 255.255.255.255. */
  readonly server: string;
  readonly rate: number;
  readonly clients: number;
  readonly exchanges?: number;
  readonly renewRate?: number;
  readonly releaseRate?: number;
  readonly periodS: number;
  readonly macBase?: string;
  readonly localPort?: number;
  readonly remotePort?: number;
  /** Drop time (`-d`), seconds. */
  readonly dropTimeS?: number;
}

/** perfdhcp acting as a relay (DHCPv4 perfdhcp always sets giaddr to its local address). */
export const perfdhcpArgs = (run: PerfdhcpRun): string[] => [
  '-4',
  '-l', run.local,
  '-r', String(run.rate),
  '-R', String(run.clients),
  ...(run.exchanges !== undefined ? ['-n', String(run.exchanges)] : []),
  ...(run.renewRate !== undefined ? ['-f', String(run.renewRate)] : []),
  ...(run.releaseRate !== undefined ? ['-F', String(run.releaseRate)] : []),
  '-p', String(run.periodS),
  // Keep collecting answers for a second after the last send, or the last exchanges count as drops.
  '-W', '1000000',
  ...(run.dropTimeS !== undefined ? ['-d', String(run.dropTimeS)] : []),
  ...(run.macBase !== undefined ? ['-b', `mac=${run.macBase}`] : []),
  ...(run.localPort !== undefined ? ['-L', String(run.localPort)] : []),
  ...(run.remotePort !== undefined ? ['-N', String(run.remotePort)] : []),
  run.server,
];

export const runPerfdhcp = (run: PerfdhcpRun): Promise<PerfdhcpReport> =>
  new Promise((resolve, reject) => {
    const args = perfdhcpArgs(run);
    const [file, argv] = run.ns === undefined ? ['perfdhcp', args] : ['ip', ['netns', 'exec', run.ns, 'perfdhcp', ...args]];
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const limit = setTimeout(() => child.kill('SIGINT'), (run.periodS + 30) * 1000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(limit);
      try {
        resolve(parsePerfdhcpReport(output, code ?? -1));
      } catch (error) {
        reject(error);
      }
    });
  });
