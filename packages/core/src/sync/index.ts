export * from './merge.js';
export * from './procedure.js';
