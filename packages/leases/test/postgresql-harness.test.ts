import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresUnavailableReason, startPostgres } from '../../../test/harness/postgres.js';

const unavailable = postgresUnavailableReason();
if (unavailable !== undefined) console.warn(`skipping PostgreSQL harness tests: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('the throwaway PostgreSQL server for tests', () => {
  it('accepts the password user on 127.0.0.1, refuses a wrong password, and leaves nothing behind after stop()', async () => {
    const server = await startPostgres();
    try {
      const client = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database });
      await client.connect();
      const { rows } = await client.query<{ who: string; db: string }>('SELECT current_user AS who, current_database() AS db');
      expect(rows).toEqual([{ who: server.user, db: server.database }]);
      await client.end();
      const wrong = new pg.Client({ host: server.host, port: server.port, user: server.user, password: 'not-the-password', database: server.database });
      await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
      expect(await server.psql('SHOW listen_addresses')).toBe('127.0.0.1');
    } finally {
      await server.stop();
    }
    expect(existsSync(server.directory)).toBe(false);
    await server.stop();
  });
});
