/**
 * `Dhcp4Packet` to wire bytes: one allocation for the whole packet. Options longer than 255 bytes
 * are split into repeated codes (RFC 3396); the result is padded to 300 bytes, the minimum BOOTP
 * size that older relays and clients expect.
 */
import { parseIpv4 } from './ipv4-address.js';
import { BOOTP_HEADER_LENGTH, MAGIC_COOKIE } from './decode.js';
import { OptionCode, type Dhcp4Packet } from './packet.js';

export const MIN_PACKET_LENGTH = 300;

function encodedOptionLength(dataLength: number): number {
  return dataLength === 0 ? 2 : dataLength + 2 * Math.ceil(dataLength / 255);
}

/** The size `encodePacket` will produce, for callers checking a client's maximum message size. */
export function encodedPacketLength(packet: Dhcp4Packet): number {
  let size = BOOTP_HEADER_LENGTH + 4 + 1;
  for (const option of packet.options) size += encodedOptionLength(option.data.length);
  return Math.max(size, MIN_PACKET_LENGTH);
}

function writeAddress(view: DataView, at: number, address: string, field: string): void {
  const value = parseIpv4(address);
  if (value === undefined) throw new RangeError(`${field} '${address}' is not an IPv4 address`);
  view.setUint32(at, value);
}

function writeField(out: Uint8Array, at: number, size: number, bytes: Uint8Array, field: string): void {
  if (bytes.length > size) throw new RangeError(`${field} is ${bytes.length} bytes long, at most ${size} fit`);
  out.set(bytes, at);
}

/** Throws RangeError on a packet no wire form exists for (bad address text, oversized field, code 0, 52 or 255). */
export function encodePacket(packet: Dhcp4Packet): Uint8Array {
  const out = new Uint8Array(encodedPacketLength(packet));
  const view = new DataView(out.buffer);
  out[0] = packet.op;
  out[1] = packet.htype;
  out[2] = packet.hlen;
  out[3] = packet.hops;
  view.setUint32(4, packet.xid >>> 0);
  view.setUint16(8, packet.secs);
  view.setUint16(10, packet.flags);
  writeAddress(view, 12, packet.ciaddr, 'ciaddr');
  writeAddress(view, 16, packet.yiaddr, 'yiaddr');
  writeAddress(view, 20, packet.siaddr, 'siaddr');
  writeAddress(view, 24, packet.giaddr, 'giaddr');
  writeField(out, 28, 16, packet.chaddr, 'chaddr');
  writeField(out, 44, 64, packet.sname, 'sname');
  writeField(out, 108, 128, packet.file, 'file');
  view.setUint32(BOOTP_HEADER_LENGTH, MAGIC_COOKIE);
  let at = BOOTP_HEADER_LENGTH + 4;
  for (const { code, data } of packet.options) {
    if (!Number.isInteger(code) || code <= OptionCode.PAD || code >= OptionCode.END || code === OptionCode.OVERLOAD) {
      throw new RangeError(`option code ${code} cannot be encoded (1..254 except the overload framing option 52)`);
    }
    if (data.length === 0) {
      out[at] = code;
      out[at + 1] = 0;
      at += 2;
      continue;
    }
    for (let from = 0; from < data.length; from += 255) {
      const chunk = Math.min(255, data.length - from);
      out[at] = code;
      out[at + 1] = chunk;
      out.set(data.subarray(from, from + chunk), at + 2);
      at += 2 + chunk;
    }
  }
  out[at] = OptionCode.END;
  return out;
}
