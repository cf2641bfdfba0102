export * from './lease.js';
export * from './store.js';
export { MemoryLeaseStore } from './memory-store.js';
export {
  MemfileLeaseStore,
  type CompactionStep,
  type MemfileOptions,
  type MemfileWarning,
} from './memfile-store.js';
export { loadMemfileLeases, leaseFileNames, type LeaseFileNames } from './lease-file-reader.js';
export { LEASE4_COLUMNS, LEASE4_HEADER } from './lease-file-format.js';
export { formatIpv4, parseIpv4 } from './ipv4.js';
export { PostgresqlLeaseStore, PostgresqlLeaseStoreError, parsePostgresqlLeaseDatabase, PostgresqlConfigError, Lease4RowError, Lease4SchemaError, TANDEM_SCHEMA_VERSION, type PostgresqlLeaseStoreOptions, type PostgresqlConnectionEvent, type PostgresqlLeaseDatabase, type PostgresqlOnFail, type PostgresqlConfigWarning, type Lease4Schema } from './postgresql-store.js';
