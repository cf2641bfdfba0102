import { buildHaStatus, isCommunicationInterrupted, unackedClientsLeft, type HaContext } from '@tandem/core';

/**
 * The `high-availability` list status-get carries (spec §8.15): Kea 2.2 has exactly one relationship,
 * so one element, read from the machine's current context at `nowMs`.
 */
export const haStatusSection = (ctx: HaContext, nowMs: number): Record<string, unknown>[] => {
  const { config, partner } = ctx;
  const interrupted = isCommunicationInterrupted(ctx, nowMs);
  const remote =
    config.partner === undefined
      ? undefined
      : {
          role: config.partner.role,
          ageS: Math.max(0, Math.floor((nowMs - partner.lastContactMs) / 1000)),
          inTouch: partner.inTouch,
          lastScopes: partner.scopes,
          lastState: partner.state === 'unknown' ? ('' as const) : partner.state,
          communicationInterrupted: interrupted,
          connectingClients: ctx.unacked.connectingClients,
          unackedClients: ctx.unacked.unackedClients,
          unackedClientsLeft: unackedClientsLeft(ctx.unacked, config.maxUnackedClients, interrupted),
          analyzedPackets: ctx.unacked.analyzedPackets,
          serverName: config.partner.name,
        };
  return [
    buildHaStatus(
      {
        mode: config.mode,
        local: { role: config.thisServer.role, scopes: ctx.servedScopes, state: ctx.state, serverName: config.thisServerName },
        ...(remote !== undefined ? { remote } : {}),
      },
      ctx.compat,
    ),
  ];
};
