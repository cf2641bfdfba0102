/**
 * Puts a fresh machine into a given HA state by replaying what a real run would see. Every
 * path is the shortest realistic one and leaves the heartbeat timer armed where the state
 * heartbeats (§6.1):
 *
 * - waiting: just started; the partner is still unknown.
 * - syncing: partner seen in partner-down, the synchronisation failed (the partner is then
 *   unavailable, §2.2 step 6), so the machine sits in syncing waiting for the next heartbeat.
 * - ready: partner seen in partner-down, synchronisation succeeded; ready + partner-down stays.
 * - load-balancing / hot-standby: ready, then the partner reports its normal state.
 * - communication-recovery: load-balancing, then one failed heartbeat (U0, §2.4).
 * - partner-down: a lone start until max-response-delay passed (§3.8), then one heartbeat
 *   answered by a partner in waiting (partner-down stays, contact refreshed).
 * - partner-in-maintenance: the normal state, then ha-maintenance-start accepted by the partner.
 * - in-maintenance: the normal state, then ha-maintenance-notify from the partner.
 * - terminated: the normal state, then a heartbeat answer with a 1994 clock (§6.7).
 * - backup / passive-backup: a backup server or a passive-backup primary, just started.
 *
 * A state on the way that is configured to pause is resumed with ha-continue (§4); the target
 * state keeps its pause.
 */
import type { HaConfig, KeaCompat, StateLabel } from '../../src/config/index.js';
import { normalState } from '../../src/machine/decide.js';
import { HaDriver, YEAR_1994_S } from './ha-driver.js';

export function reach(config: HaConfig, label: StateLabel, options: { readonly compat?: KeaCompat } = {}): HaDriver {
  const d = new HaDriver(config, options);
  const expectState = (want: StateLabel, step: string) => {
    if (d.state !== want) throw new Error(`reaching ${label}: expected ${want} after ${step}, machine is in ${d.haNode}`);
  };
  /** Resume a pause met on the way (not one of the target state). */
  const resume = () => {
    if (d.context.paused && d.state !== label) d.command({ type: 'command.ha-continue' });
  };
  const toNormal = () => {
    toReady();
    resume();
    d.heartbeatSucceeds(normalState(config));
    expectState(normalState(config), `partner reported ${normalState(config)}`);
  };
  const toReady = () => {
    resume();
    d.heartbeatSucceeds('partner-down');
    if (config.syncLeases) {
      expectState('syncing', 'partner reported partner-down');
      if (d.haNode === 'syncing.idle') {
        // syncing paused on entry: no synchronisation until resumed and the next heartbeat.
        resume();
        d.heartbeatSucceeds('partner-down');
      }
      d.syncSucceeds();
    }
    expectState('ready', 'the synchronisation');
  };

  switch (label) {
    case 'waiting':
    case 'backup':
    case 'passive-backup':
      break;
    case 'syncing':
      resume();
      d.heartbeatSucceeds('partner-down');
      expectState('syncing', 'partner reported partner-down');
      if (d.haNode === 'syncing.running') d.syncFails();
      break;
    case 'ready':
      toReady();
      break;
    case 'load-balancing':
    case 'hot-standby':
      if (normalState(config) !== label) throw new Error(`${label} is not the normal state of a ${config.mode} relationship`);
      toNormal();
      break;
    case 'communication-recovery':
      toNormal();
      resume();
      d.heartbeatFails();
      break;
    case 'partner-down':
      resume();
      d.heartbeatFailsInterrupted();
      expectState('partner-down', 'max-response-delay without a heartbeat');
      d.heartbeatSucceeds('waiting');
      break;
    case 'partner-in-maintenance': {
      toNormal();
      resume();
      const start = d.command({ type: 'command.ha-maintenance-start' });
      d.maintenanceNotifyCompleted(start.requestId, { kind: 'accepted' });
      break;
    }
    case 'in-maintenance':
      toNormal();
      resume();
      d.command({ type: 'command.ha-maintenance-notify', cancel: false });
      break;
    case 'terminated':
      toNormal();
      resume();
      d.heartbeatSucceeds(normalState(config), { dateTimeS: YEAR_1994_S });
      break;
  }
  expectState(label, 'the last step');
  return d;
}
