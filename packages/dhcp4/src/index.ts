export * from './packet.js';
export * from './ipv4-address.js';
export * from './hex.js';
export * from './relay-agent-info.js';
export * from './options.js';
export * from './decode.js';
export * from './encode.js';
export * from './config/types.js';
export { parseDhcp4ServerConfig, type Dhcp4ConfigParseOptions, type Dhcp4ConfigError, type Dhcp4ConfigResult } from './config/parse.js';
export { OPTION_DEFINITIONS_BY_CODE, OPTION_DEFINITIONS_BY_NAME, type OptionDefinition, type OptionValueType } from './config/option-definitions.js';
export * from './engine/types.js';
export { AllocationEngine } from './engine/allocation-engine.js';
export { identifyClient, leaseBelongsToClient, type ClientIdentity } from './engine/client-identity.js';
export {
  acceptServerId,
  configuredServerIds,
  type AcceptedBy,
  type ConfiguredServerIds,
  type ServerIdContext,
  type ServerIdVerdict,
} from './engine/server-id-acceptance.js';
