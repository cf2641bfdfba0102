/**
 * The network between peers (control channel, HTTP) and between clients and peers (DHCP). A
 * message is in flight from its send until it is delivered or lost; links have a delay range
 * (different delays reorder), a loss and a duplication probability, and can be cut per direction
 * (an asymmetric partition cuts one direction, a symmetric one both).
 *
 * Two timing modes:
 * - `timed` (simulation): a message is due at send time + a delay drawn from the link's range;
 *   loss and duplication are drawn from the seeded PRNG;
 * - `async` (exploration): a message has no due time; the explorer chooses when to deliver or
 *   lose each one, which covers every delay, loss and reordering at once.
 */
import type { Prng } from './prng.js';

export type Channel = 'control' | 'dhcp';

export interface LinkProfile {
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /** Probability a message is lost. */
  readonly loss: number;
  /** Probability a delivered message is delivered twice (each copy with its own delay). */
  readonly duplicate: number;
  /**
   * Messages of one directed link arrive in the order they were sent, as over the one persistent
   * HTTP connection per peer Kea 2.2's client keeps. False: each message has its own delay and
   * may overtake an earlier one (several connections, as Kea's multi-threaded client opens).
   */
  readonly ordered: boolean;
}

export const CLEAN_CONTROL_LINK: LinkProfile = { minDelayMs: 2, maxDelayMs: 20, loss: 0, duplicate: 0, ordered: true };
/** DHCP is UDP: nothing keeps a client's datagrams in order. */
export const CLEAN_DHCP_LINK: LinkProfile = { minDelayMs: 1, maxDelayMs: 5, loss: 0, duplicate: 0, ordered: false };

export type MessageKind = 'request' | 'response' | 'dhcp';

export interface Message {
  readonly id: number;
  readonly channel: Channel;
  readonly kind: MessageKind;
  readonly from: string;
  readonly to: string;
  /** Short name for traces: the command, `answer <command>`, or the DHCP message type. */
  readonly label: string;
  /** The JSON a request or an answer carries, or the DHCP message model. */
  readonly body: unknown;
  /** For a response: the id of the request it answers. */
  readonly inReplyTo?: number;
  /** A response the transport made up: the request could not reach its target (`Connection refused`). */
  readonly transportError?: string;
  /** The sender's incarnation: answers to a crashed and restarted peer find nobody waiting. */
  readonly senderIncarnation: number;
  readonly sentAtMs: number;
  /** When it arrives (timed mode); absent in async mode, where the explorer decides. */
  readonly dueMs?: number;
  readonly seq: number;
}

export type TimingMode = 'timed' | 'async';

export interface NetworkState {
  readonly mode: TimingMode;
  readonly control: LinkProfile;
  readonly dhcp: LinkProfile;
  /** Cut directions, as `from>to`; `*` stands for every client. */
  readonly cut: ReadonlySet<string>;
  readonly inFlight: readonly Message[];
}

export const newNetwork = (mode: TimingMode, control = CLEAN_CONTROL_LINK, dhcp = CLEAN_DHCP_LINK): NetworkState => ({
  mode,
  control,
  dhcp,
  cut: new Set(),
  inFlight: [],
});

/** Cut per name (`c07>server1`), or for every client at once (`*>server1`). */
export function isCut(net: NetworkState, from: string, to: string, isClient: (name: string) => boolean): boolean {
  if (net.cut.size === 0) return false;
  if (net.cut.has(`${from}>${to}`)) return true;
  if (isClient(from) && net.cut.has(`*>${to}`)) return true;
  return isClient(to) && net.cut.has(`${from}>*`);
}

export function cutLink(net: NetworkState, from: string, to: string): NetworkState {
  const cut = new Set(net.cut);
  cut.add(`${from}>${to}`);
  return { ...net, cut };
}

export function restoreLink(net: NetworkState, from: string, to: string): NetworkState {
  const cut = new Set(net.cut);
  cut.delete(`${from}>${to}`);
  return { ...net, cut };
}

export const healAll = (net: NetworkState): NetworkState => ({ ...net, cut: new Set() });

/** What happens to a message handed to the network: the copies that will travel (0, 1 or 2). */
export function launch(net: NetworkState, message: Omit<Message, 'dueMs'>, prng: Prng, nextSeq: () => number): readonly Message[] {
  if (net.mode === 'async') return [message];
  const link = message.channel === 'control' ? net.control : net.dhcp;
  if (prng.chance(link.loss)) return [];
  // On an ordered link a message arrives no earlier than the last one sent before it on the same link.
  let floor = Number.NEGATIVE_INFINITY;
  if (link.ordered) {
    for (const m of net.inFlight) if (m.from === message.from && m.to === message.to && m.dueMs !== undefined && m.dueMs > floor) floor = m.dueMs;
  }
  const due = (): number => Math.max(floor, message.sentAtMs + prng.between(link.minDelayMs, link.maxDelayMs));
  const first: Message = { ...message, dueMs: due() };
  if (!prng.chance(link.duplicate)) return [first];
  return [first, { ...message, seq: nextSeq(), dueMs: Math.max(first.dueMs as number, due()) }];
}

export function earliestMessage(net: NetworkState): Message | undefined {
  let best: Message | undefined;
  for (const message of net.inFlight) {
    if (message.dueMs === undefined) continue;
    if (best === undefined || message.dueMs < best.dueMs! || (message.dueMs === best.dueMs && message.seq < best.seq)) best = message;
  }
  return best;
}

export const withoutMessage = (net: NetworkState, seq: number): NetworkState => ({
  ...net,
  inFlight: net.inFlight.filter((message) => message.seq !== seq),
});
