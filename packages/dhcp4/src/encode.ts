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

function writeAddress(out: Uint8Array, at: number, address: string, field: string): void {
  const value = parseIpv4(address);
  if (value === undefined) throw new RangeError(`${field} '${address}' is not an IPv4 address`);
  writeUint32(out, at, value);
}

function writeUint32(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 255;
  out[at + 2] = (value >>> 8) & 255;
  out[at + 3] = value & 255;
}

function writeField(out: Uint8Array, at: number, size: number, bytes: Uint8Array, field: string): void {
  if (bytes.length > size) throw new RangeError(`${field} is ${bytes.length} bytes long, at most ${size} fit`);
  out.set(bytes, at);
}

/**
 * Output buffers are cut from shared zero-filled slabs, as Node's Buffer pool does: a fresh
 * ArrayBuffer per packet costs more than encoding it. Regions are never reused, so a packet
 * stays valid for as long as the caller holds it; only its `.buffer` is shared.
 */
const SLAB_SIZE = 64 * 1024;
let slab = new Uint8Array(SLAB_SIZE);
let slabOffset = 0;

function allocate(size: number): Uint8Array {
  if (size > SLAB_SIZE / 4) return new Uint8Array(size);
  if (slabOffset + size > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    slabOffset = 0;
  }
  const out = slab.subarray(slabOffset, slabOffset + size);
  slabOffset += (size + 7) & ~7;
  return out;
}

/** Throws RangeError on a packet no wire form exists for (bad address text, oversized field, code 0, 52 or 255). */
export function encodePacket(packet: Dhcp4Packet): Uint8Array {
  const out = allocate(encodedPacketLength(packet));
  out[0] = packet.op;
  out[1] = packet.htype;
  out[2] = packet.hlen;
  out[3] = packet.hops;
  writeUint32(out, 4, packet.xid >>> 0);
  out[8] = (packet.secs >>> 8) & 255;
  out[9] = packet.secs & 255;
  out[10] = (packet.flags >>> 8) & 255;
  out[11] = packet.flags & 255;
  writeAddress(out, 12, packet.ciaddr, 'ciaddr');
  writeAddress(out, 16, packet.yiaddr, 'yiaddr');
  writeAddress(out, 20, packet.siaddr, 'siaddr');
  writeAddress(out, 24, packet.giaddr, 'giaddr');
  writeField(out, 28, 16, packet.chaddr, 'chaddr');
  writeField(out, 44, 64, packet.sname, 'sname');
  writeField(out, 108, 128, packet.file, 'file');
  writeUint32(out, BOOTP_HEADER_LENGTH, MAGIC_COOKIE);
  let at = BOOTP_HEADER_LENGTH + 4;
  const options = packet.options;
  for (let i = 0; i < options.length; i++) {
    const { code, data } = options[i]!;
    if (!Number.isInteger(code) || code <= OptionCode.PAD || code >= OptionCode.END || code === OptionCode.OVERLOAD) {
      throw new RangeError(`option code ${code} cannot be encoded (1..254 except the overload framing option 52)`);
    }
    const length = data.length;
    if (length <= 255) {
      out[at] = code;
      out[at + 1] = length;
      out.set(data, at + 2);
      at += 2 + length;
      continue;
    }
    for (let from = 0; from < length; from += 255) {
      const chunk = Math.min(255, length - from);
      out[at] = code;
      out[at + 1] = chunk;
      out.set(data.subarray(from, from + chunk), at + 2);
      at += 2 + chunk;
    }
  }
  out[at] = OptionCode.END;
  return out;
}
