export {
  analyzeQuery4,
  analyzeQuery6,
  clientKey4,
  clientKey6,
  effectiveSecs,
  emptyUnackedClients,
  failureDetected,
  partnerShouldBeDown,
  unackedClientsLeft,
  type PartnerDownInput,
  type Query4Timing,
  type Query6Timing,
  type UnackedClients,
} from './failure-detection.js';
export {
  CLOCK_SKEW_TERMINATE_S,
  CLOCK_SKEW_WARN_S,
  CLOCK_SKEW_WARNING_INTERVAL_S,
  clockSkewS,
  clockSkewVerdict,
  formatClockSkew,
  shouldLogSkewWarning,
  type ClockSkewVerdict,
} from './clock-skew.js';
export {
  NO_PARTNER_UNSENT_UPDATES,
  UNSENT_UPDATE_COUNT_MAX,
  incrementUnsentUpdateCount,
  partnerHasNewUnsentUpdates,
  recordPartnerUnsentUpdateCount,
  type PartnerUnsentUpdates,
} from './unsent-updates.js';
export {
  clearBacklog,
  drainBacklog,
  emptyBacklog,
  popBacklog,
  pushBacklog,
  type BacklogEntry,
  type DrainResult,
  type LeaseUpdateBacklog,
  type LeaseUpdateOp,
  type PopResult,
  type PushResult,
} from './backlog.js';
export { leaseUpdateDecision, leaseUpdatePeers, type LeaseUpdateDecision } from './lease-update-policy.js';
