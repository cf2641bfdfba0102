/**
 * Relay Agent Information (option 82, RFC 3046): a list of sub-options that relays add and
 * servers echo back unchanged. The raw sub-options are kept in order so the echo is exact; the
 * few that steer the server are exposed by name.
 */
import { formatIpv4 } from './ipv4-address.js';
import type { DhcpOption } from './packet.js';

export const RelaySubOption = {
  CIRCUIT_ID: 1,
  REMOTE_ID: 2,
  /** RFC 3527: the subnet to allocate from, when it differs from giaddr's. */
  LINK_SELECTION: 5,
  /** RFC 5107: the address the client must use as server identifier. */
  SERVER_ID_OVERRIDE: 11,
} as const;

export interface RelayAgentInfo {
  readonly subOptions: readonly DhcpOption[];
  readonly circuitId?: Uint8Array;
  readonly remoteId?: Uint8Array;
  /** Dotted quad from sub-option 5 when it holds exactly four bytes. */
  readonly linkSelection?: string;
  /** Dotted quad from sub-option 11 when it holds exactly four bytes. */
  readonly serverIdOverride?: string;
}

/** True when the payload is a well-formed sequence of code/length/value sub-options. */
export function isWellFormedRelayAgentInfo(data: Uint8Array): boolean {
  let at = 0;
  while (at < data.length) {
    if (at + 2 > data.length) return false;
    at += 2 + data[at + 1]!;
    if (at > data.length) return false;
  }
  return true;
}

/** Undefined when the payload's sub-option framing is broken. */
export function parseRelayAgentInfo(data: Uint8Array): RelayAgentInfo | undefined {
  if (!isWellFormedRelayAgentInfo(data)) return undefined;
  const subOptions: DhcpOption[] = [];
  let circuitId: Uint8Array | undefined;
  let remoteId: Uint8Array | undefined;
  let linkSelection: string | undefined;
  let serverIdOverride: string | undefined;
  for (let at = 0; at < data.length; ) {
    const code = data[at]!;
    const length = data[at + 1]!;
    const value = data.subarray(at + 2, at + 2 + length);
    subOptions.push({ code, data: value });
    if (code === RelaySubOption.CIRCUIT_ID && circuitId === undefined) circuitId = value;
    else if (code === RelaySubOption.REMOTE_ID && remoteId === undefined) remoteId = value;
    else if (code === RelaySubOption.LINK_SELECTION && length === 4 && linkSelection === undefined)
      linkSelection = formatIpv4(readUint32(value));
    else if (code === RelaySubOption.SERVER_ID_OVERRIDE && length === 4 && serverIdOverride === undefined)
      serverIdOverride = formatIpv4(readUint32(value));
    at += 2 + length;
  }
  return {
    subOptions,
    ...(circuitId !== undefined && { circuitId }),
    ...(remoteId !== undefined && { remoteId }),
    ...(linkSelection !== undefined && { linkSelection }),
    ...(serverIdOverride !== undefined && { serverIdOverride }),
  };
}

/** Payload of option 82 from sub-options (each at most 255 bytes). */
export function encodeRelayAgentInfo(subOptions: readonly DhcpOption[]): Uint8Array {
  let size = 0;
  for (const sub of subOptions) {
    if (sub.data.length > 255) throw new RangeError(`relay agent sub-option ${sub.code} is longer than 255 bytes`);
    size += 2 + sub.data.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const sub of subOptions) {
    out[at] = sub.code;
    out[at + 1] = sub.data.length;
    out.set(sub.data, at + 2);
    at += 2 + sub.data.length;
  }
  return out;
}

function readUint32(bytes: Uint8Array): number {
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}
