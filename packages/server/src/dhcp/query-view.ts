import { BOOTREQUEST, clientIdentifier, hardwareAddressBytes, messageType, toColonHex, type Dhcp4Packet } from '@tandem/dhcp4';
import type { HaQuery } from '../ha-hooks.js';

/** What HA sees of a query. */
export const haQueryOf = (packet: Dhcp4Packet): HaQuery => ({
  messageType: messageType(packet),
  htype: packet.htype,
  hwAddress: hardwareAddressBytes(packet),
  clientId: clientIdentifier(packet),
  secs: packet.secs,
  xid: packet.xid,
  relayed: packet.giaddr !== '0.0.0.0',
});

export const isClientQuery = (packet: Dhcp4Packet): boolean => packet.op === BOOTREQUEST;

/** Kea's packet label for log messages: `[hwtype=1 0a:00:...], cid=[01:0a:...], tid=0x1a2b`. */
export const queryLabel = (packet: Dhcp4Packet): string => {
  const clientId = clientIdentifier(packet);
  return `[hwtype=${packet.htype} ${toColonHex(hardwareAddressBytes(packet))}], cid=[${clientId === undefined ? 'no info' : toColonHex(clientId)}], tid=0x${packet.xid.toString(16)}`;
};
