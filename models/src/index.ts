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
