/**
 * Wire bytes to a `Dhcp4Packet` (RFC 2131 §2 header, RFC 2132 options, RFC 3396 long options,
 * option overload). It runs once per received packet, so it allocates one object per option and
 * nothing per byte: fields and option payloads are views into the input.
 */
import { formatIpv4, IPV4_ZERO } from './ipv4-address.js';
import { optionPayloadProblem } from './options.js';
import { OptionCode, type Dhcp4Packet, type DhcpOption } from './packet.js';

export type DecodeErrorKind = 'truncated' | 'bad-magic' | 'bad-header' | 'bad-option' | 'no-message-type';

export interface DecodeError {
  readonly kind: DecodeErrorKind;
  readonly message: string;
}

export type DecodeResult = { readonly ok: true; readonly packet: Dhcp4Packet } | { readonly ok: false; readonly error: DecodeError };

export const BOOTP_HEADER_LENGTH = 236;
export const MAGIC_COOKIE = 0x63825363;
const OPTIONS_OFFSET = BOOTP_HEADER_LENGTH + 4;
const SNAME_OFFSET = 44;
const SNAME_LENGTH = 64;
const FILE_OFFSET = 108;
const FILE_LENGTH = 128;
const MAX_HLEN = 16;
const EMPTY = new Uint8Array(0);

const OVERLOAD_FILE = 1;
const OVERLOAD_SNAME = 2;

/**
 * Index of each code's entry in the options being built, -1 when absent. Shared between calls
 * (decoding is synchronous) and restored to all -1 before every return.
 */
const optionIndexByCode = new Int16Array(256).fill(-1);

function readUint32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

/** Most addresses in a query are 0.0.0.0; skip the number formatting for them. */
function formatAddress(buf: Uint8Array, at: number): string {
  const value = readUint32(buf, at);
  return value === 0 ? IPV4_ZERO : formatIpv4(value);
}

function failure(kind: DecodeErrorKind, message: string): DecodeResult {
  return { ok: false, error: { kind, message } };
}

/** Never throws: every malformed input yields `{ ok: false }`. */
export function decodePacket(buf: Uint8Array): DecodeResult {
  if (buf.length < OPTIONS_OFFSET) {
    return failure(
      'truncated',
      `packet of ${buf.length} bytes is shorter than the ${OPTIONS_OFFSET} bytes of BOOTP header and magic cookie`,
    );
  }
  const cookie = readUint32(buf, BOOTP_HEADER_LENGTH);
  if (cookie !== MAGIC_COOKIE) {
    return failure('bad-magic', `magic cookie is 0x${cookie.toString(16).padStart(8, '0')}, not 0x63825363`);
  }
  const op = buf[0]!;
  if (op !== 1 && op !== 2) return failure('bad-header', `op is ${op}, neither BOOTREQUEST (1) nor BOOTREPLY (2)`);
  const hlen = buf[2]!;
  if (hlen > MAX_HLEN) return failure('bad-header', `hlen is ${hlen}, more than the ${MAX_HLEN} bytes of chaddr`);

  const options: DhcpOption[] = [];
  try {
    const scanned = scanOptions(buf, OPTIONS_OFFSET, buf.length, 'options field', options, true);
    if (typeof scanned === 'object') return scanned;
    const overload = scanned;
    // RFC 3396 §7: the options field first, then file, then sname.
    if (overload & OVERLOAD_FILE) {
      const problem = scanOptions(buf, FILE_OFFSET, FILE_OFFSET + FILE_LENGTH, "'file' field", options, false);
      if (typeof problem === 'object') return problem;
    }
    if (overload & OVERLOAD_SNAME) {
      const problem = scanOptions(buf, SNAME_OFFSET, SNAME_OFFSET + SNAME_LENGTH, "'sname' field", options, false);
      if (typeof problem === 'object') return problem;
    }
    let hasMessageType = false;
    for (let i = 0; i < options.length; i++) {
      const option = options[i]!;
      const problem = optionPayloadProblem(option.code, option.data);
      if (problem !== undefined) return failure('bad-option', `option ${option.code} ${problem}`);
      if (option.code === OptionCode.MESSAGE_TYPE) hasMessageType = true;
    }
    if (!hasMessageType) return failure('no-message-type', 'no DHCP message type option (53): not a DHCP packet');

    return {
      ok: true,
      packet: {
        op,
        htype: buf[1]!,
        hlen,
        hops: buf[3]!,
        xid: readUint32(buf, 4),
        secs: (buf[8]! << 8) | buf[9]!,
        flags: (buf[10]! << 8) | buf[11]!,
        ciaddr: formatAddress(buf, 12),
        yiaddr: formatAddress(buf, 16),
        siaddr: formatAddress(buf, 20),
        giaddr: formatAddress(buf, 24),
        chaddr: buf.subarray(28, 44),
        sname: overload & OVERLOAD_SNAME ? EMPTY : buf.subarray(SNAME_OFFSET, SNAME_OFFSET + SNAME_LENGTH),
        file: overload & OVERLOAD_FILE ? EMPTY : buf.subarray(FILE_OFFSET, FILE_OFFSET + FILE_LENGTH),
        options,
      },
    };
  } finally {
    for (let i = 0; i < options.length; i++) optionIndexByCode[options[i]!.code] = -1;
  }
}

/**
 * Appends the options found in `buf[start, end)` to `options`, concatenating repeated codes.
 * Returns the overload value found (0 when none, and always 0 outside the options field) or the
 * failure.
 */
function scanOptions(
  buf: Uint8Array,
  start: number,
  end: number,
  area: string,
  options: DhcpOption[],
  isOptionsField: boolean,
): number | DecodeResult {
  let overload = 0;
  let at = start;
  while (at < end) {
    const code = buf[at]!;
    if (code === OptionCode.END) break;
    if (code === OptionCode.PAD) {
      at++;
      continue;
    }
    if (at + 1 >= end) {
      return failure(isOptionsField ? 'truncated' : 'bad-option', `option ${code} in the ${area} has no length byte`);
    }
    const length = buf[at + 1]!;
    const dataStart = at + 2;
    const dataEnd = dataStart + length;
    if (dataEnd > end) {
      return failure(
        isOptionsField ? 'truncated' : 'bad-option',
        `option ${code} in the ${area} claims ${length} bytes but only ${end - dataStart} remain`,
      );
    }
    at = dataEnd;
    if (code === OptionCode.OVERLOAD) {
      // RFC 2132 §9.3: only meaningful in the options field; elsewhere it is ignored.
      if (!isOptionsField) continue;
      if (length !== 1 || buf[dataStart]! < 1 || buf[dataStart]! > 3) {
        return failure('bad-option', 'option 52 (overload) must be one byte of value 1, 2 or 3');
      }
      overload = buf[dataStart]!;
      continue;
    }
    const data = buf.subarray(dataStart, dataEnd);
    const index = optionIndexByCode[code]!;
    if (index < 0) {
      optionIndexByCode[code] = options.length;
      options.push({ code, data });
    } else {
      // RFC 3396: a repeated code continues the same option.
      const previous = options[index]!.data;
      const joined = new Uint8Array(previous.length + length);
      joined.set(previous, 0);
      joined.set(data, previous.length);
      options[index] = { code, data: joined };
    }
  }
  return overload;
}
