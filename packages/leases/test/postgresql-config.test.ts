import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePostgresqlLeaseDatabase, PostgresqlConfigError } from '../src/postgresql-store.js';

const PATH = 'Dhcp4.lease-database';
const parse = (json: unknown) => parsePostgresqlLeaseDatabase(json, PATH);

describe("Kea's lease-database map for type postgresql", () => {
  it('every key of a Kea 2.2 PostgreSQL lease database reaches the store options', () => {
    const { database, warnings } = parse({
      type: 'postgresql', name: 'kea', host: 'db.example.org', port: 5433, user: 'kea', password: 'secret',
      'connect-timeout': 10, 'max-reconnect-tries': 5, 'reconnect-wait-time': 3000, 'on-fail': 'serve-retry-continue',
    });
    expect(database).toEqual({
      host: 'db.example.org', port: 5433, name: 'kea', user: 'kea', password: 'secret',
      connectTimeoutS: 10, maxReconnectTries: 5, reconnectWaitTimeMs: 3000, onFail: 'serve-retry-continue',
    });
    expect(warnings).toEqual([]);
  });

  it("absent keys take Kea's defaults: localhost, libpq's port, 5 s connect timeout, no reconnect, stop-retry-exit", () => {
    expect(parse({ type: 'postgresql', name: 'kea' }).database).toEqual({
      host: 'localhost', port: 5432, name: 'kea', connectTimeoutS: 5, maxReconnectTries: 0, reconnectWaitTimeMs: 0, onFail: 'stop-retry-exit',
    });
    // Kea hands port 0 to libpq as "no port": the default.
    expect(parse({ type: 'postgresql', name: 'kea', port: 0 }).database.port).toBe(5432);
  });

  it('refuses what Kea refuses, naming the key and its path', () => {
    const refusals: Array<[unknown, RegExp]> = [
      [[], /^Dhcp4\.lease-database must be a map$/],
      [{ name: 'kea' }, /^Dhcp4\.lease-database\.type is required/],
      [{ type: 'memfile', name: 'kea' }, /^Dhcp4\.lease-database\.type 'memfile' is not 'postgresql'$/],
      [{ type: 'postgresql' }, /^Dhcp4\.lease-database\.name \(the database name\) must be given/],
      [{ type: 'postgresql', name: '' }, /^Dhcp4\.lease-database\.name/],
      [{ type: 'postgresql', name: 'kea', port: 65_536 }, /^Dhcp4\.lease-database\.port value 65536 is out of range 0\.\.65535$/],
      [{ type: 'postgresql', name: 'kea', port: '5432' }, /^Dhcp4\.lease-database\.port must be an integer$/],
      [{ type: 'postgresql', name: 'kea', 'connect-timeout': 0 }, /^Dhcp4\.lease-database\.connect-timeout value 0 is out of range 1\.\.2147483647$/],
      [{ type: 'postgresql', name: 'kea', 'max-reconnect-tries': -1 }, /^Dhcp4\.lease-database\.max-reconnect-tries value -1/],
      [{ type: 'postgresql', name: 'kea', 'reconnect-wait-time': 4_294_967_296 }, /^Dhcp4\.lease-database\.reconnect-wait-time value 4294967296/],
      [{ type: 'postgresql', name: 'kea', 'on-fail': 'retry' }, /^Dhcp4\.lease-database\.on-fail 'retry' is not one of 'stop-retry-exit', 'serve-retry-exit', 'serve-retry-continue'$/],
      [{ type: 'postgresql', name: 'kea', password: 1234 }, /^Dhcp4\.lease-database\.password must be a string$/],
      [{ type: 'postgresql', name: 'kea', host: '' }, /^Dhcp4\.lease-database\.host must not be empty/],
      [{ type: 'postgresql', name: 'kea', persist: 'yes' }, /^Dhcp4\.lease-database\.persist must be a boolean$/],
      // Kea 2.2's grammar has no comment, user-context, or Cassandra keys in a database map.
      [{ type: 'postgresql', name: 'kea', comment: 'x', keyspace: 'k' }, /^Dhcp4\.lease-database: unsupported parameters 'comment', 'keyspace'$/],
    ];
    for (const [json, message] of refusals) {
      expect(() => parse(json), JSON.stringify(json)).toThrow(PostgresqlConfigError);
      expect(() => parse(json), JSON.stringify(json)).toThrow(message);
    }
  });

  it('keys Kea accepts but ignores for PostgreSQL are accepted with a warning naming them', () => {
    const { warnings } = parse({
      type: 'postgresql', name: 'kea', persist: true, 'lfc-interval': 3600, readonly: false, 'max-row-errors': 5, 'trust-anchor': '/etc/ca.pem',
    });
    expect(warnings.map((warning) => warning.path)).toEqual([
      'Dhcp4.lease-database.persist', 'Dhcp4.lease-database.lfc-interval', 'Dhcp4.lease-database.readonly',
      'Dhcp4.lease-database.max-row-errors', 'Dhcp4.lease-database.trust-anchor',
    ]);
    expect(warnings[4]!.text).toMatch(/not encrypted/);
  });

  it('a port is accepted exactly when it is an integer in 0..65535 (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -100_000, max: 100_000 }), fc.double({ noNaN: true })), (port) => {
        const json = { type: 'postgresql', name: 'kea', port };
        if (Number.isInteger(port) && port >= 0 && port <= 65_535) {
          expect(parse(json).database.port).toBe(port === 0 ? 5432 : port);
        } else {
          expect(() => parse(json)).toThrow(/^Dhcp4\.lease-database\.port /);
        }
      }),
    );
  });
});
