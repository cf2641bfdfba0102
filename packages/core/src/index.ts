/**
 * @tandem/core — Kea-compatible DHCP high availability as pure logic.
 *
 * Nothing in this package performs I/O, reads a clock or draws a random number: the HA state
 * machine steps on events and hands out effects (see docs/architecture.md for the contract).
 */
export * from './config/index.js';
export * from './machine/index.js';
export * from './scopes/index.js';
export * from './communication/index.js';
export * from './wire/index.js';
export * from './sync/index.js';
