/**
 * What the parts of the cluster (peers, their control channel, the DHCP clients) may ask of the
 * cluster they live in: the time, the network, fresh ids, the trace, the PRNG and observations
 * for the invariant checker. `Cluster` implements it.
 */
import type { StateLabel } from '@tandem/core';
import type { ClusterSpec } from './cluster-spec.js';
import type { Message } from './network.js';
import type { Prng } from './prng.js';
import type { TraceCategory } from './trace.js';
import type { DriverVariant } from './variants.js';

export type Outgoing = Omit<Message, 'id' | 'seq' | 'sentAtMs' | 'dueMs'>;

/** Facts the checker needs that are not visible in the end state of a step. */
export type Observation =
  | {
      readonly kind: 'transition';
      readonly peer: string;
      readonly from: StateLabel;
      readonly to: StateLabel;
      /** The machine was paused when the event that caused the transition arrived. */
      readonly pausedBefore: boolean;
      /** The event fed to the machine (a timer's event type for timers). */
      readonly cause: string;
      /** Invariant 4's independent view of the partner's failure at that moment. */
      readonly failure: FailureEvidence;
    }
  | { readonly kind: 'start'; readonly peer: string; readonly restart: boolean };

/** What the driver itself saw (not the machine's context) when a transition happened. */
export interface FailureEvidence {
  /** Machine time since the last heartbeat.succeeded the driver fed (or since start-up). */
  readonly sinceContactMs: number;
  /** Distinct clients fed as query.observed with secs above max-ack-delay while interrupted. */
  readonly unackedClients: number;
  /** The driver's DHCP service switch when the decision was taken. */
  readonly dhcpEnabled: boolean;
}

export interface World {
  readonly nowMs: number;
  readonly spec: ClusterSpec;
  readonly pools: ReadonlyMap<string, readonly string[]>;
  readonly prng: Prng;
  readonly variant: DriverVariant;
  nextSeq(): number;
  /** Hands a message to the network; returns its id (the id its answer will carry in `inReplyTo`). */
  send(message: Outgoing): number;
  trace(category: TraceCategory, text: string): void;
  /** Whether lines of this category are kept: lets hot paths skip building the text. */
  tracing(category: TraceCategory): boolean;
  observe(observation: Observation): void;
}
