export { haMachine, heartbeatWanted, type HaMachine } from './machine.js';
export { decide, normalState, isInvalidPartnerState, type Verdict, type DecisionFacts, type StayReason } from './decide.js';
export { factsOf, isCommunicationInterrupted, isPartnerDown, shouldTerminate, rejectedClientCount } from './facts.js';
export { serviceEnabled } from './network.js';
export type * from './context.js';
export type * from './events.js';
export type * from './effects.js';
