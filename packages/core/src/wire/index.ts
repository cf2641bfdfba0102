/** Wire shapes of Kea's HA protocol: pure JSON-value ⇄ typed-value functions, no I/O. */

export type { JsonMap, Parsed } from './json-value.js';
export { KeaDouble, keaDouble, serializeKea, parseKeaJson, formatDouble, compareCodePoints } from './kea-json.js';
export type { ParseKeaJsonOptions } from './kea-json.js';
export * from './envelope.js';
export * from './date-time.js';
export * from './identifiers.js';
export * from './heartbeat.js';
export * from './lease4.js';
export * from './commands.js';
export * from './status.js';
