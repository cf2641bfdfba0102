export * from './packet.js';
export * from './ipv4-address.js';
export * from './hex.js';
export * from './relay-agent-info.js';
export * from './options.js';
export * from './decode.js';
export * from './encode.js';
