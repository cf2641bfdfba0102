/**
 * @tandem/models — the formal side of Tandem: N real `haMachine`s composed with a simulated
 * network, clocks, lease stores and DHCP clients (docs/formal-model.md).
 */
export { Cluster, type ClusterOptions, type ClusterStats, type Due } from './cluster.js';
export { haConfigFor, haParameters, hotStandbyPair, loadBalancingPair, poolScopes, scopePools, type ClusterSpec, type PeerSpec } from './cluster-spec.js';
export { DEFAULT_POPULATION, holdsLease, type ClientPopulation, type DhcpClient } from './clients.js';
export { EPOCH_MS, formatGlobal, type PeerClock } from './clock.js';
export { runDemo, DEMO_SCRIPT_S, type DemoMode, type DemoOptions, type DemoResult } from './demo.js';
export { InvariantChecker, INVARIANTS, livenessBoundMs, normalStateOf, type InvariantId, type Violation } from './invariants.js';
export { MachineHost, type HaLogic, type HaSnapshot, type MachineStep } from './machine-host.js';
export { CLEAN_CONTROL_LINK, CLEAN_DHCP_LINK, type LinkProfile, type Message, type TimingMode } from './network.js';
export { haState, type PeerState } from './peer.js';
export { Prng, seedFor } from './prng.js';
export { Trace, formatLine, type TraceCategory, type TraceLine } from './trace.js';
export { CORRECT_SHELL, machineWithDecision, type DriverVariant } from './variants.js';
export { explore, replayCounterexample, startState, describeAction, type Counterexample, type ExploreAction, type ExploreFaults, type ExploreOptions, type ExploreResult } from './explore.js';
export { EXPLORE_CONFIGS, exploreConfig, type ExploreConfig } from './explore-configs.js';
export { fingerprint, hash53 } from './fingerprint.js';
export { FAULT_MODELS, faultModel, runRandom, describeRun, replayCommand, RANDOM_SPEC, type FaultKind, type FaultModel, type RandomRunOptions, type RandomRunResult } from './random-sim.js';
export { parseScenario, renderScenario, runScenario, type ScenarioBlock, type ScenarioOptions, type ScenarioResult } from './scenario.js';
export { KEA_22_BLOCKING_SYNC, DELIVER_STALE_BACKLOG, SHELLS, SHELL_VARIANTS, noPrimaryTieBreak, partnerDownForever, partnerDownWithoutEvidence, pauseIgnored } from './variants.js';
export { parseDuration, formatDuration } from './duration.js';
