import type { HaContext } from './context.js';
import type { DecisionFacts } from './decide.js';
import { partnerShouldBeDown } from '../communication/failure-detection.js';
import { clockSkewVerdict } from '../communication/clock-skew.js';
import { partnerHasNewUnsentUpdates } from '../communication/unsent-updates.js';

/** §6.3: strictly more than max-response-delay since the last successful heartbeat (or start-up). */
export const isCommunicationInterrupted = (ctx: HaContext, nowMs: number = ctx.nowMs): boolean =>
  nowMs - ctx.partner.lastContactMs > ctx.config.maxResponseDelayMs;

/** U2 of §2 / §6.5. */
export const isPartnerDown = (ctx: HaContext): boolean =>
  partnerShouldBeDown({
    interrupted: isCommunicationInterrupted(ctx),
    dhcpEnabled: ctx.dhcpEnabled,
    mode: ctx.config.mode,
    role: ctx.config.thisServer.role,
    unacked: ctx.unacked,
    maxUnackedClients: ctx.config.maxUnackedClients,
  });

/** Rejected clients whose record has not expired (§6.8). */
export const rejectedClientCount = (ctx: HaContext): number =>
  Object.values(ctx.rejected).filter((expiresMs) => expiresMs > ctx.nowMs).length;

/** shouldTerminate() of §6.7/§6.8. */
export const shouldTerminate = (ctx: HaContext): boolean => {
  const skew = ctx.partner.clockSkewS;
  if (skew !== undefined && clockSkewVerdict(skew) === 'terminate') return true;
  const limit = ctx.config.maxRejectedLeaseUpdates;
  return limit > 0 && rejectedClientCount(ctx) >= limit;
};

export const factsOf = (ctx: HaContext): DecisionFacts => ({
  config: ctx.config,
  state: ctx.state,
  partnerState: ctx.partner.state,
  interrupted: isCommunicationInterrupted(ctx),
  partnerDown: isPartnerDown(ctx),
  shouldTerminate: shouldTerminate(ctx),
  partnerHasNewUnsentUpdates: partnerHasNewUnsentUpdates(ctx.partner.unsentPrevious, ctx.partner.unsentCurrent),
  backlogOverflowed: ctx.backlog.overflowed,
  holdStill: ctx.paused || ctx.skipEvaluation,
});
