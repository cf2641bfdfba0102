/**
 * The machine's named delays (§6.1 heartbeat-delay; §8.12, §11 the partner's dhcp-disable
 * max-period). XState resolves a delay by name when its timer is armed; a name without an
 * implementation, or a value that is not a finite number, makes the timer fire at once,
 * silently. So does a JavaScript timer asked for more than 2^31−1 ms, and that is the clock
 * tandemd runs the machine on; so every delay must stay within that too.
 */
import { describe, expect, it } from 'vitest';
import { getStateNodes } from 'xstate/graph';
import type { HaConfig, KeaCompat } from '../src/config/index.js';
import { haMachine } from '../src/machine/machine.js';
import { normalState } from '../src/machine/decide.js';
import type { HaContext } from '../src/machine/context.js';
import { HaDriver } from './support/ha-driver.js';
import { hsStandby, lbBackup, lbPrimary, pbPrimary } from './support/kea-config.js';
import { reach } from './support/reach.js';

/** The longest delay setTimeout honours; longer ones fire after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const DELAYS = haMachine.implementations.delays as Record<string, number | ((args: { context: HaContext; event: { type: string } }, params: unknown) => number)>;

const resolve = (name: string, context: HaContext): unknown => {
  const delay = DELAYS[name];
  return typeof delay === 'function' ? delay({ context, event: { type: 'xstate.init' } }, undefined) : delay;
};

/** Every `after` of the machine names a delay: no literal numbers, no unknown names. */
const AFTER_NAMES = [haMachine.root, ...getStateNodes(haMachine.root)].flatMap((node) => node.after.map((t) => t.delay));

const CONFIGS: ReadonlyArray<readonly [string, HaConfig, KeaCompat]> = [
  ['LB primary, defaults', lbPrimary(), '2.2'],
  ['HS standby, heartbeat-delay 1 ms', hsStandby({ parameters: { 'heartbeat-delay': 1 } }), '2.2'],
  ['LB primary, 2.2.0 maxima', lbPrimary({ parameters: { 'heartbeat-delay': 65535, 'max-response-delay': 65535 } }), '2.2'],
  ['LB primary, HEAD maxima', lbPrimary({ parameters: { 'heartbeat-delay': 4294967295, 'max-response-delay': 4294967295 } }, 'head'), 'head'],
  ['LB primary, heartbeat-delay 0 (heartbeats off)', lbPrimary({ parameters: { 'heartbeat-delay': 0 } }), '2.2'],
  ['PB primary', pbPrimary(), '2.2'],
  ['backup', lbBackup(), '2.2'],
];

describe('named delays', () => {
  it('every delay the machine uses is implemented, and every implemented delay is used', () => {
    expect(AFTER_NAMES.every((name) => typeof name === 'string')).toBe(true);
    expect([...new Set(AFTER_NAMES)].sort()).toEqual(Object.keys(DELAYS).sort());
    expect(Object.keys(DELAYS).sort()).toEqual(['heartbeatDelay', 'remoteDisableMaxPeriod']);
  });

  for (const [name, config, compat] of CONFIGS) {
    it(`${name}: every delay is a finite number in 0..2^31−1 ms, and positive where its timer is armed`, () => {
      const d = config.thisServer.role === 'backup' || config.mode === 'passive-backup' || config.heartbeatDelayMs === 0
        ? new HaDriver(config, { compat })
        : reach(config, normalState(config), { compat });
      const contexts: HaContext[] = [d.context];
      if (d.heartbeatPhase === 'scheduled') expect(resolve('heartbeatDelay', d.context) as number).toBeGreaterThan(0);
      for (const maxPeriodS of [1, 60, 3_000_000, 2 ** 40]) {
        d.command({ type: 'command.dhcp-disable', origin: 'ha-partner', maxPeriodS });
        expect(d.remoteDisablePhase).toBe('armed');
        expect(resolve('remoteDisableMaxPeriod', d.context) as number, `armed for ${maxPeriodS} s`).toBeGreaterThan(0);
        contexts.push(d.context);
      }
      for (const context of contexts) {
        for (const delayName of Object.keys(DELAYS)) {
          const ms = resolve(delayName, context);
          expect(typeof ms, delayName).toBe('number');
          expect(Number.isFinite(ms), delayName).toBe(true);
          expect(ms as number, delayName).toBeGreaterThanOrEqual(0);
          expect(ms as number, delayName).toBeLessThanOrEqual(MAX_TIMER_MS);
        }
      }
    });
  }
});
