import type pg from 'pg';

/**
 * The lease4 table Tandem needs, and the start-up migration that makes sure it is there.
 *
 * Tandem reads and writes only Kea's `lease4` table, with Kea 2.2's columns and representation, so
 * one database can serve Kea and Tandem. Two cases at start-up:
 *
 * - `lease4` exists (a database made by `kea-admin db-init pgsql`, or by an earlier Tandem): its
 *   columns are checked and it is used as it is. Nothing in a Kea database is created or altered.
 * - `lease4` does not exist: Tandem creates it with Kea 2.2's columns, types and indexes, and
 *   records its own schema version in `tandem_schema_version`. It does not create Kea's other
 *   tables nor Kea's `schema_version`, so `kea-admin` never mistakes the database for a full Kea one.
 *
 * The migration runs in one transaction under an advisory lock, so two servers opening the same
 * empty database at once cannot both create the table.
 */

/** The version of the schema this code creates; bump with a migration step when it changes. */
export const TANDEM_SCHEMA_VERSION = 1;

/** Chosen once, arbitrarily, so only Tandem's migrations wait on each other ("TANDEM01" in ASCII). */
const MIGRATION_LOCK_KEY = '6071219827799568433';

/** Kea 2.2's lease4 columns with the PostgreSQL types its dhcpdb_create.pgsql gives them. */
const KEA_LEASE4_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  address: ['bigint'],
  hwaddr: ['bytea'],
  client_id: ['bytea'],
  valid_lifetime: ['bigint'],
  expire: ['timestamp with time zone'],
  subnet_id: ['bigint'],
  fqdn_fwd: ['boolean'],
  fqdn_rev: ['boolean'],
  hostname: ['character varying', 'text'],
  state: ['bigint'],
  user_context: ['text'],
};

const CREATE_SCHEMA_V1 = [
  `CREATE TABLE lease4 (
    address BIGINT PRIMARY KEY NOT NULL,
    hwaddr BYTEA,
    client_id BYTEA,
    valid_lifetime BIGINT,
    expire TIMESTAMP WITH TIME ZONE,
    subnet_id BIGINT,
    fqdn_fwd BOOLEAN,
    fqdn_rev BOOLEAN,
    hostname VARCHAR(255),
    state INT8 DEFAULT 0 CHECK (state IN (0, 1, 2)),
    user_context TEXT
  )`,
  // Kea's indexes: lookups by client, expiry scans per state, per-subnet and per-hostname queries.
  'CREATE INDEX lease4_by_hwaddr_subnet_id ON lease4 (hwaddr, subnet_id)',
  'CREATE INDEX lease4_by_client_id_subnet_id ON lease4 (client_id, subnet_id)',
  'CREATE INDEX lease4_by_state_expire ON lease4 (state ASC, expire ASC)',
  'CREATE INDEX lease4_by_subnet_id ON lease4 (subnet_id)',
  'CREATE INDEX lease4_by_hostname ON lease4 (lower(hostname)) WHERE hostname IS NOT NULL',
  `CREATE TABLE tandem_schema_version (
    version INT PRIMARY KEY NOT NULL,
    applied TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
  )`,
  `INSERT INTO tandem_schema_version (version) VALUES (${TANDEM_SCHEMA_VERSION})`,
];

/** Whose lease4 table the store works on; for the start-up log. */
export type Lease4Schema =
  | { readonly kind: 'created'; readonly tandemVersion: number }
  | { readonly kind: 'tandem'; readonly tandemVersion: number }
  | { readonly kind: 'kea'; readonly keaVersion: string | undefined }
  | { readonly kind: 'foreign' };

/** Thrown when the database holds a lease4 table Tandem cannot use; says what is wrong with it. */
export class Lease4SchemaError extends Error {
  override readonly name = 'Lease4SchemaError';
}

const describeColumnProblems = (columns: ReadonlyMap<string, string>): string[] => {
  const problems: string[] = [];
  for (const [name, types] of Object.entries(KEA_LEASE4_COLUMNS)) {
    const actual = columns.get(name);
    if (actual === undefined) problems.push(`column ${name} is missing`);
    else if (!types.includes(actual)) problems.push(`column ${name} is ${actual}, not ${types.join(' or ')}`);
  }
  return problems;
};

const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

const tableSchema = async (client: pg.ClientBase, table: string): Promise<string | undefined> => {
  // to_regclass follows search_path, as the unqualified names in every statement do.
  const { rows } = await client.query<{ schema: string | null }>(
    `SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`,
    [table],
  );
  return rows[0]?.schema ?? undefined;
};

const inspectExisting = async (client: pg.ClientBase, schema: string): Promise<Lease4Schema> => {
  // pg_attribute rather than information_schema, which hides the columns of tables the user may not use.
  const { rows } = await client.query<{ column_name: string; data_type: string }>(
    `SELECT a.attname AS column_name, format_type(a.atttypid, NULL) AS data_type FROM pg_attribute a
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`,
    [`${quoteIdentifier(schema)}.lease4`],
  );
  const problems = describeColumnProblems(new Map(rows.map((row) => [row.column_name, row.data_type])));
  if (problems.length > 0) {
    throw new Lease4SchemaError(
      `table ${schema}.lease4 is not Kea's DHCPv4 lease table (${problems.join('; ')}); ` +
        "point Tandem at a database made by 'kea-admin db-init pgsql' or at an empty one",
    );
  }
  if ((await tableSchema(client, 'tandem_schema_version')) !== undefined) {
    const version = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM tandem_schema_version');
    const tandemVersion = version.rows[0]?.version ?? 0;
    if (tandemVersion > TANDEM_SCHEMA_VERSION) {
      throw new Lease4SchemaError(
        `the lease database was migrated to Tandem schema version ${tandemVersion} by a newer Tandem; this one knows up to ${TANDEM_SCHEMA_VERSION}`,
      );
    }
    // Version 1 is the only one so far: later versions add their steps here, in order.
    return { kind: 'tandem', tandemVersion };
  }
  if ((await tableSchema(client, 'schema_version')) !== undefined) {
    const version = await client.query<{ version: number | null; minor: number | null }>(
      'SELECT version, minor FROM schema_version LIMIT 1',
    );
    const row = version.rows[0];
    return { kind: 'kea', keaVersion: row === undefined ? undefined : `${row.version ?? '?'}.${row.minor ?? 0}` };
  }
  return { kind: 'foreign' };
};

/**
 * Creates the lease4 table when the database has none, or checks the one it has; resolves with
 * whose table it is. Runs inside one transaction holding Tandem's migration lock.
 */
export const migrateLeaseSchema = async (client: pg.ClientBase): Promise<Lease4Schema> => {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    const schema = await tableSchema(client, 'lease4');
    let result: Lease4Schema;
    if (schema === undefined) {
      for (const statement of CREATE_SCHEMA_V1) await client.query(statement);
      result = { kind: 'created', tandemVersion: TANDEM_SCHEMA_VERSION };
    } else {
      result = await inspectExisting(client, schema);
    }
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
};
