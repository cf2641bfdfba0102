export * from './lease.js';
export * from './store.js';
export { MemoryLeaseStore } from './memory-store.js';
export { formatIpv4, parseIpv4 } from './ipv4.js';
