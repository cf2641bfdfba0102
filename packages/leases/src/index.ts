export * from './lease.js';
export * from './store.js';
