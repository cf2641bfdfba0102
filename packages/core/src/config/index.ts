export * from './types.js';
export { parseHaConfig, parseHaConfigOrThrow, parseHaRelationships, type ParseOptions, type Relationships } from './parse.js';
export { HaConfigError, type ConfigError, type ConfigRule, type ParseResult } from './errors.js';
export type { ReadFile } from './file-reader.js';
export {
  HA_MODES,
  PEER_ROLES,
  PAUSE_MODES,
  PAUSABLE_LABELS,
  isHaMode,
  isPeerRole,
  isPauseMode,
  isPausableLabel,
  stringToHaMode,
  stringToRole,
  stringToPausing,
  stringToStateLabel,
  haModeToString,
  roleToString,
  pausingToString,
} from './labels.js';
export { resolveMultiThreading, dedicatedListenerActive, type DhcpThreading } from './multi-threading.js';
export { subnetServerName, type SubnetServerName } from './subnet-server-name.js';
