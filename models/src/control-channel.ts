/**
 * A peer's control channel, receiving side: every request a partner sends, answered as Kea's
 * daemon with the HA and lease_cmds hooks would. Read-only commands and lease commands are
 * answered by the shell (lease updates bypass the core, contract rule 7); HA commands go through
 * the machine as command events and leave with its `command.answer`.
 */
import {
  ControlResult,
  LEASE4_ADDED_TEXT,
  LEASE4_DELETED_TEXT,
  LEASE4_NOT_FOUND_TEXT,
  LEASE4_UPDATED_TEXT,
  answer,
  answerList,
  buildLease4PageAnswer,
  parseControlRequest,
  parseDhcpDisableArgs,
  parseDhcpEnableArgs,
  parseLease4DelArgs,
  parseLease4GetPageArgs,
  parseLease4Wire,
  parseMaintenanceNotifyArgs,
  parseSyncCompleteNotifyArgs,
  unsupportedCommandText,
  type ControlAnswer,
  type HaEvent,
} from '@tandem/core';
import { leasePage, putLease, removeLease } from './lease-store-model.js';
import type { Message } from './network.js';
import { answerHeartbeat, feedTimed, peerWallMs, respond, withEntry, type MutablePeer } from './peer.js';
import type { World } from './world.js';

export function receiveRequest(world: World, peer: MutablePeer, message: Message): void {
  const reply = (single: ControlAnswer, command: string): void => respond(world, peer, message.from, message.id, command, answerList(single));
  const parsed = parseControlRequest(message.body);
  if (!parsed.ok) {
    reply(answer(ControlResult.ERROR, parsed.reason), 'unknown');
    return;
  }
  const { command } = parsed.value;
  const args = parsed.value.arguments;
  const toMachine = (make: (nowMs: number, requestId: string) => HaEvent): void => {
    const requestId = `${message.from}#${message.id}`;
    peer.inbound = withEntry(peer.inbound, requestId, { from: message.from, messageId: message.id, command });
    feedTimed(world, peer, (nowMs) => make(nowMs, requestId));
  };
  switch (command) {
    case 'ha-heartbeat': {
      if (world.variant.holdHeartbeatsWhileSyncing === true && peer.snapshot?.context.syncing === true) {
        peer.heldHeartbeats = [...peer.heldHeartbeats, { from: message.from, messageId: message.id, command }];
        return;
      }
      answerHeartbeat(world, peer, message.from, message.id);
      return;
    }
    case 'lease4-update': {
      const received = parseLease4Wire(args, { compat: peer.compat, nowS: Math.floor(peerWallMs(world, peer) / 1000) });
      if (!received.ok) {
        reply(answer(ControlResult.ERROR, received.reason), command);
        return;
      }
      const { lease, forceCreate } = received.value;
      const existed = peer.store.has(lease.address);
      if (!existed && !forceCreate) {
        reply(answer(ControlResult.ERROR, `failed to update the lease with address ${lease.address} - no such lease`), command);
        return;
      }
      peer.store = putLease(peer.store, lease);
      world.trace('peer', `${peer.name} store ${lease.address} ← ${lease.hwAddress} (lease4-update from ${message.from})`);
      reply(answer(ControlResult.SUCCESS, existed ? LEASE4_UPDATED_TEXT : LEASE4_ADDED_TEXT), command);
      return;
    }
    case 'lease4-del': {
      const target = parseLease4DelArgs(args);
      if (!target.ok) {
        reply(answer(ControlResult.ERROR, target.reason), command);
        return;
      }
      if (!peer.store.has(target.value.address)) {
        reply(answer(ControlResult.EMPTY, LEASE4_NOT_FOUND_TEXT), command);
        return;
      }
      peer.store = removeLease(peer.store, target.value.address);
      world.trace('peer', `${peer.name} store ${target.value.address} deleted (lease4-del from ${message.from})`);
      reply(answer(ControlResult.SUCCESS, LEASE4_DELETED_TEXT), command);
      return;
    }
    case 'lease4-get-page': {
      const page = parseLease4GetPageArgs(args);
      if (!page.ok) {
        reply(answer(ControlResult.ERROR, page.reason), command);
        return;
      }
      reply(buildLease4PageAnswer(leasePage(peer.store, page.value.from, page.value.limit), peer.compat), command);
      return;
    }
    case 'dhcp-disable': {
      const parsedArgs = parseDhcpDisableArgs(args);
      if (!parsedArgs.ok) {
        reply(answer(ControlResult.ERROR, parsedArgs.reason), command);
        return;
      }
      const { origin, maxPeriodS } = parsedArgs.value;
      toMachine((nowMs, requestId) =>
        maxPeriodS === undefined
          ? { type: 'command.dhcp-disable', nowMs, requestId, origin }
          : { type: 'command.dhcp-disable', nowMs, requestId, origin, maxPeriodS },
      );
      return;
    }
    case 'dhcp-enable': {
      const parsedArgs = parseDhcpEnableArgs(args);
      if (!parsedArgs.ok) {
        reply(answer(ControlResult.ERROR, parsedArgs.reason), command);
        return;
      }
      toMachine((nowMs, requestId) => ({ type: 'command.dhcp-enable', nowMs, requestId, origin: parsedArgs.value.origin }));
      return;
    }
    case 'ha-sync-complete-notify': {
      const parsedArgs = parseSyncCompleteNotifyArgs(args, peer.compat);
      if (!parsedArgs.ok) {
        reply(answer(ControlResult.ERROR, parsedArgs.reason), command);
        return;
      }
      toMachine((nowMs, requestId) => ({ type: 'command.ha-sync-complete-notify', nowMs, requestId }));
      return;
    }
    case 'ha-reset':
      toMachine((nowMs, requestId) => ({ type: 'command.ha-reset', nowMs, requestId }));
      return;
    case 'ha-maintenance-notify': {
      const parsedArgs = parseMaintenanceNotifyArgs(args, peer.compat);
      if (!parsedArgs.ok) {
        reply(answer(ControlResult.ERROR, parsedArgs.reason), command);
        return;
      }
      toMachine((nowMs, requestId) => ({ type: 'command.ha-maintenance-notify', nowMs, requestId, cancel: parsedArgs.value.cancel }));
      return;
    }
    default:
      reply(answer(ControlResult.UNSUPPORTED, unsupportedCommandText(command)), command);
  }
}
