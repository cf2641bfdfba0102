import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

/**
 * A throwaway PostgreSQL server for tests: its own cluster in a temporary directory, listening only
 * on 127.0.0.1 at a free port, with its Unix socket inside that directory, so it never meets the
 * machine's own clusters. Debian's server binaries live in /usr/lib/postgresql/<major>/bin.
 */
export interface ThrowawayPostgres {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** A password-authenticated role (not a superuser) that owns `database`. */
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** The temporary directory holding the cluster, its log and its socket; gone after `stop()`. */
  readonly directory: string;
  /** Creates another database owned by `user`, e.g. one per test that needs an empty schema. */
  createDatabase(name: string): Promise<void>;
  /** Runs SQL as the cluster's superuser over the Unix socket; resolves with psql's unaligned output. */
  psql(sql: string, database?: string): Promise<string>;
  /** Shuts the server down (fast mode: sessions are ended) and keeps its data. */
  pauseServer(): Promise<void>;
  /** Starts a paused server again on the same port. */
  resumeServer(): Promise<void>;
  /** Stops the server and deletes its directory; safe to call twice. */
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';

/** The newest server binary directory Debian's postgresql packages installed, if any. */
export const postgresBinDir = (): string | undefined => {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((entry) => /^\d+$/.test(entry) && existsSync(join(root, entry, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length === 0 ? undefined : join(root, majors[0]!, 'bin');
};

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export const postgresUnavailableReason = (): string | undefined =>
  postgresBinDir() === undefined
    ? 'PostgreSQL server binaries not found under /usr/lib/postgresql/<version>/bin (Debian: apt-get install postgresql)'
    : undefined;

interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

const run = (file: string, args: readonly string[], cwd: string, input?: string): Promise<RunResult> =>
  new Promise((resolve, reject) => {
    const child = execFile(file, [...args], { cwd, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
        return;
      }
      resolve({ stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });

/**
 * initdb refuses to run as root, so as root every server command runs as Debian's `postgres` OS
 * user through runuser; as any other user the commands run directly.
 */
const asServerUser = (): ((command: string, args: readonly string[]) => [string, string[]]) => {
  if (userInfo().uid !== 0) return (command, args) => [command, [...args]];
  return (command, args) => ['runuser', ['-u', 'postgres', '--', command, ...args]];
};

const serverUserIds = (): { uid: number; gid: number } | undefined => {
  if (userInfo().uid !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (line === undefined) {
    throw new Error('running as root, but there is no "postgres" OS user to run the PostgreSQL server as');
  }
  const fields = line.split(':');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
};

const quoteLiteral = (text: string): string => `'${text.replaceAll("'", "''")}'`;
const quoteIdentifier = (text: string): string => `"${text.replaceAll('"', '""')}"`;

/**
 * Starts a fresh cluster and resolves once it accepts connections. Call `stop()` from afterAll so
 * the server and its files go away whether or not the tests passed.
 */
export const startPostgres = async (): Promise<ThrowawayPostgres> => {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error(postgresUnavailableReason());
  const ids = serverUserIds();
  const wrap = asServerUser();
  const dir = mkdtempSync(join(tmpdir(), 'tandem-pg-'));
  if (ids !== undefined) chownSync(dir, ids.uid, ids.gid);
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const server = (command: string, args: readonly string[], input?: string): Promise<RunResult> => {
    const [file, argv] = wrap(join(bin, command), args);
    return run(file, argv, dir, input);
  };

  const user = 'tandem';
  const password = randomBytes(12).toString('hex');
  const database = 'tandem';
  let port = 0;
  let running = false;
  let removed = false;

  const startServer = async (): Promise<void> => {
    const options = [
      "-c listen_addresses='127.0.0.1'",
      `-c port=${port}`,
      `-c unix_socket_directories='${dir}'`,
      // A throwaway cluster needs no crash safety; fsync off keeps a test suite's many commits fast.
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    await server('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', options, '-w', '-t', '60', 'start']);
    running = true;
  };

  const psql = async (sql: string, db = 'postgres'): Promise<string> => {
    const { stdout } = await server(
      'psql',
      ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', dir, '-p', String(port), '-U', SUPERUSER, '-d', db, '-f', '-'],
      sql,
    );
    return stdout.trim();
  };

  const stopServer = async (): Promise<void> => {
    if (!running) return;
    running = false;
    await server('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
  };

  try {
    // Local (socket) connections trust the OS user; TCP connections need the password, as in production.
    await server('initdb', ['-D', dataDir, '--no-sync', '-U', SUPERUSER, '-A', 'trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C']);
    writeFileSync(
      join(dataDir, 'pg_hba.conf'),
      ['local all all trust', 'host all all 127.0.0.1/32 scram-sha-256', ''].join('\n'),
    );
    if (ids !== undefined) chownSync(join(dataDir, 'pg_hba.conf'), ids.uid, ids.gid);
    // Another test may take the port between freePort() and the server's bind; try a few.
    for (let attempt = 1; ; attempt++) {
      port = await freePort('tcp');
      try {
        await startServer();
        break;
      } catch (error) {
        if (attempt >= 3) {
          const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
          throw new Error(`${(error as Error).message}\nserver log:\n${log}`);
        }
      }
    }
    await psql(
      `CREATE ROLE ${quoteIdentifier(user)} LOGIN PASSWORD ${quoteLiteral(password)};\n` +
        `CREATE DATABASE ${quoteIdentifier(database)} OWNER ${quoteIdentifier(user)};`,
    );
  } catch (error) {
    await stopServer().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    database,
    directory: dir,
    psql,
    createDatabase: async (name) => {
      await psql(`CREATE DATABASE ${quoteIdentifier(name)} OWNER ${quoteIdentifier(user)};`);
    },
    pauseServer: stopServer,
    resumeServer: async () => {
      if (!running) await startServer();
    },
    stop: async () => {
      if (removed) return;
      removed = true;
      try {
        if (running) {
          running = false;
          await server('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', '-t', '60', 'stop']);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
};
