import { describe, expect, it } from 'vitest';
import { runDemo, type DemoMode } from '../src/demo.js';
import type { TraceCategory } from '../src/trace.js';

const quiet = new Set<TraceCategory>();
const run = (mode: DemoMode, seed: number) => runDemo({ mode, seed, show: quiet });

describe('the scripted two-peer run behind npm start', () => {
  it('load balancing: start-up with the primary first, sync, crash of the secondary, partner-down, recovery (§3.7, §3.8)', () => {
    const result = run('load-balancing', 1);
    expect(result.timeline.get('server1')).toEqual([
      'waiting',
      'syncing',
      'ready',
      'load-balancing',
      'communication-recovery',
      'partner-down',
      'load-balancing',
    ]);
    expect(result.timeline.get('server2')).toEqual([
      'waiting',
      'syncing',
      'ready',
      'load-balancing',
      '(restart) waiting',
      'syncing',
      'ready',
      'load-balancing',
    ]);
    expect(result.violations).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('hot standby: the standby takes over when the primary dies, and hands back after its resync (§3.3, §3.8)', () => {
    const result = run('hot-standby', 1);
    expect(result.timeline.get('server1')).toEqual(['waiting', 'syncing', 'ready', 'hot-standby', '(restart) waiting', 'syncing', 'ready', 'hot-standby']);
    expect(result.timeline.get('server2')).toEqual(['waiting', 'syncing', 'ready', 'hot-standby', 'partner-down', 'hot-standby']);
    expect(result.violations).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('the same seed gives the same trace, line for line', () => {
    const a = run('load-balancing', 7).trace.render();
    const b = run('load-balancing', 7).trace.render();
    expect(a.length).toBeGreaterThan(0);
    expect(b).toBe(a);
  });

  it('another seed gives another trace but the same lifecycle', () => {
    const a = run('load-balancing', 7);
    const b = run('load-balancing', 8);
    expect(b.trace.render()).not.toBe(a.trace.render());
    expect(b.timeline).toEqual(a.timeline);
  });
});
