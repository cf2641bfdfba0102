import { BOOTREQUEST, clientIdentifier, hardwareAddressBytes, messageType, type Dhcp4Packet } from '@tandem/dhcp4';
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
