import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigWarning } from '../src/config/config-error.js';
import { parseLeaseDatabase } from '../src/config/lease-database.js';
import { parseServerConfig } from '../src/config/server-config.js';

const PATH = '$.Dhcp4.lease-database';

describe("lease-database type 'postgresql' (Kea 2.2's keys)", () => {
  it('reads every key Kea 2.2 has for PostgreSQL, with its defaults where one is left out', () => {
    const warnings: ConfigWarning[] = [];
    expect(
      parseLeaseDatabase(
        {
          type: 'postgresql', name: 'kea', host: 'db.example.org', port: 5433, user: 'kea', password: 'secret',
          'connect-timeout': 10, 'max-reconnect-tries': 3, 'reconnect-wait-time': 2000, 'on-fail': 'serve-retry-exit',
        },
        PATH,
        warnings,
      ),
    ).toEqual({
      type: 'postgresql',
      database: {
        name: 'kea', host: 'db.example.org', port: 5433, user: 'kea', password: 'secret',
        connectTimeoutS: 10, maxReconnectTries: 3, reconnectWaitTimeMs: 2000, onFail: 'serve-retry-exit',
      },
    });
    expect(warnings).toEqual([]);
    expect(parseLeaseDatabase({ type: 'postgresql', name: 'kea' }, PATH, [])).toEqual({
      type: 'postgresql',
      database: { name: 'kea', host: 'localhost', port: 5432, connectTimeoutS: 5, maxReconnectTries: 0, reconnectWaitTimeMs: 0, onFail: 'stop-retry-exit' },
    });
  });

  it('refuses what Kea refuses as a ConfigError naming the key by its path (so tandemd -t reports it as a configuration error)', () => {
    const refused = (section: Record<string, unknown>, message: string | RegExp) => {
      let error: unknown;
      try {
        parseLeaseDatabase({ type: 'postgresql', name: 'kea', ...section }, PATH, []);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
    };
    refused({ port: 70000 }, `${PATH}.port value 70000 is out of range 0..65535`);
    refused({ 'on-fail': 'retry-forever' }, `${PATH}.on-fail 'retry-forever' is not one of`);
    refused({ name: '' }, `${PATH}.name`);
    refused({ comment: 'db' }, `${PATH}: unsupported parameter 'comment'`);
    refused({ 'connect-timeout': 0 }, `${PATH}.connect-timeout value 0 is out of range`);
  });

  it('keys Kea accepts but does not use for PostgreSQL become warnings at their path', () => {
    const warnings: ConfigWarning[] = [];
    parseLeaseDatabase({ type: 'postgresql', name: 'kea', 'lfc-interval': 3600, 'trust-anchor': '/etc/ssl/ca.pem' }, PATH, warnings);
    expect(warnings.map((w) => w.path)).toEqual([`${PATH}.lfc-interval`, `${PATH}.trust-anchor`]);
    expect(warnings[1]?.text).toMatch(/not encrypted/);
  });

  it('mysql and cql stay refused, the message naming what Tandem has', () => {
    expect(() => parseLeaseDatabase({ type: 'mysql', name: 'kea' }, PATH, [])).toThrow(
      `${PATH}.type 'mysql' is not supported: Tandem stores leases in a Kea memfile CSV ('memfile') or a PostgreSQL database ('postgresql')`,
    );
  });

  it('a whole Dhcp4 document with a postgresql lease-database parses (tandemd -t) and carries its warnings', () => {
    const config = parseServerConfig(
      { Dhcp4: { 'lease-database': { type: 'postgresql', name: 'kea', host: '192.0.2.5', readonly: false }, subnet4: [] } },
      'kea-dhcp4.conf',
    );
    expect(config.daemon.leaseDatabase).toMatchObject({ type: 'postgresql', database: { host: '192.0.2.5', name: 'kea' } });
    expect(config.warnings.map((w) => w.path)).toContain(`${PATH}.readonly`);
  });
});
