#!/usr/bin/env node
// A minimal DHCPv4 client population acting through a relay: it sends relayed (giaddr set) DISCOVER/REQUEST
// from UDP port 67 and prints one JSON line per ACK the moment it arrives, so a test that kills the server
// knows exactly which leases were acknowledged. Independent of @tandem/dhcp4 on purpose: it checks the daemon
// with a second, separately written codec.
//
// usage: relay-client.mjs --server A[,B...] --giaddr G --clients N [--mac-base 02:00:00] [--concurrency C] [--direct true]
//                         [--mode dora|rebind] [--leases file.json] [--server-port 67] [--timeout-ms 1000] [--retries 3]
//                         [--request-server-id A]   (SELECTING REQUESTs name A instead of the offering server)
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
// A relay forwards every query to each of its helper addresses (both servers of an HA pair).
const servers = String(args.server).split(',');
const giaddr = args.giaddr;
const serverPort = Number(args['server-port'] ?? 67);
const localPort = Number(args['local-port'] ?? 67);
const concurrency = Number(args.concurrency ?? 16);
const timeoutMs = Number(args['timeout-ms'] ?? 1000);
const retries = Number(args.retries ?? 3);
const mode = args.mode ?? 'dora';
const macBase = (args['mac-base'] ?? '02:00:00').split(':').map((h) => parseInt(h, 16));
// --direct: no relay; clients broadcast (to --broadcast, default 255.255.255.255) from port 68 with the
// broadcast flag, as on the server's own link.
const direct = args.direct === 'true';
// A client that took another server's offer: its REQUEST names that server, and this one must stay silent.
const requestServerId = args['request-server-id'] === undefined ? undefined : String(args['request-server-id']).split('.').map(Number);

const ip = (text) => text.split('.').map(Number);
const ipText = (b, o) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
const macOf = (i) => [...macBase, (i >> 16) & 255, (i >> 8) & 255, i & 255];
const hex = (bytes) => bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');

/** One BOOTREQUEST with options [code, bytes][]; giaddr set, hops 1, as a relay forwards it. */
const request = ({ xid, mac, ciaddr = '0.0.0.0', options }) => {
  const buf = Buffer.alloc(300);
  buf[0] = 1; buf[1] = 1; buf[2] = 6; buf[3] = direct ? 0 : 1;
  buf.writeUInt32BE(xid >>> 0, 4);
  if (direct) buf.writeUInt16BE(0x8000, 10);
  Buffer.from(ip(ciaddr)).copy(buf, 12);
  if (!direct) Buffer.from(ip(giaddr)).copy(buf, 24);
  Buffer.from(mac).copy(buf, 28);
  buf.writeUInt32BE(0x63825363, 236);
  let o = 240;
  for (const [code, data] of options) { buf[o++] = code; buf[o++] = data.length; Buffer.from(data).copy(buf, o); o += data.length; }
  buf[o++] = 255;
  return buf.subarray(0, Math.max(o, 300));
};

const parse = (buf) => {
  if (buf.length < 240 || buf[0] !== 2 || buf.readUInt32BE(236) !== 0x63825363) return undefined;
  const options = new Map();
  for (let o = 240; o < buf.length && buf[o] !== 255; ) {
    if (buf[o] === 0) { o++; continue; }
    options.set(buf[o], buf.subarray(o + 2, o + 2 + buf[o + 1]));
    o += 2 + buf[o + 1];
  }
  return { xid: buf.readUInt32BE(4), yiaddr: ipText(buf, 16), mac: hex([...buf.subarray(28, 34)]), type: options.get(53)?.[0], serverId: options.get(54), lease: options.get(51)?.readUInt32BE(0) };
};

const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
const waiting = new Map(); // xid -> resolve
socket.on('message', (msg) => {
  const reply = parse(msg);
  if (reply === undefined) return;
  const resolve = waiting.get(reply.xid);
  if (resolve) { waiting.delete(reply.xid); resolve(reply); }
});
await new Promise((r) => (direct ? socket.bind(68, r) : socket.bind(localPort, giaddr, r)));
if (direct) socket.setBroadcast(true);

const exchange = async (packet, xid) => {
  for (let attempt = 0; attempt <= retries; attempt++) {
    const reply = await new Promise((resolve) => {
      const timer = setTimeout(() => { waiting.delete(xid); resolve(undefined); }, timeoutMs);
      waiting.set(xid, (r) => { clearTimeout(timer); resolve(r); });
      if (direct) socket.send(packet, serverPort, args.broadcast ?? '255.255.255.255');
      else for (const server of servers) socket.send(packet, serverPort, server);
    });
    if (reply) return reply;
  }
  return undefined;
};

let nextXid = (process.pid << 12) >>> 0;
const clientId = (mac) => [1, ...mac];
const line = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

const dora = async (i) => {
  const mac = macOf(i);
  const xid = nextXid++;
  const offer = await exchange(request({ xid, mac, options: [[53, [1]], [61, clientId(mac)]] }), xid);
  if (!offer || offer.type !== 2) return line({ event: 'no-offer', mac: hex(mac) });
  const xid2 = nextXid++;
  const ack = await exchange(
    request({ xid: xid2, mac, options: [[53, [3]], [61, clientId(mac)], [50, ip(offer.yiaddr)], [54, requestServerId ?? [...offer.serverId]]] }),
    xid2,
  );
  if (!ack || ack.type !== 5) return line({ event: ack ? 'nak' : 'no-ack', mac: hex(mac) });
  line({ event: 'ack', address: ack.yiaddr, mac: hex(mac), lease: ack.lease });
};

/** A rebinding client (ciaddr set, no server id), forwarded by the relay: the server extends its lease. */
const rebind = async ({ address, mac: macText }) => {
  const mac = macText.split(':').map((h) => parseInt(h, 16));
  const xid = nextXid++;
  const ack = await exchange(request({ xid, mac, ciaddr: address, options: [[53, [3]], [61, clientId(mac)]] }), xid);
  if (!ack || ack.type !== 5) return line({ event: ack ? 'nak' : 'no-ack', address, mac: macText });
  line({ event: 'ack', address: ack.yiaddr, mac: macText, lease: ack.lease });
};

const jobs =
  mode === 'dora'
    ? Array.from({ length: Number(args.clients) }, (_, i) => () => dora(i))
    : JSON.parse(readFileSync(args.leases, 'utf8')).map((l) => () => rebind(l));
let next = 0;
await Promise.all(Array.from({ length: concurrency }, async () => { while (next < jobs.length) await jobs[next++](); }));
line({ event: 'done' });
socket.close();
