import { afterEach, describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { createWebSocketInspector, createWebSocketReceiver, type StatelyInspectionEvent } from '@statelyai/inspect';
import { createInspectorServer } from '@statelyai/inspect/server';
import { runInspectedScenario } from '../examples/inspected-scenario.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

describe('inspection', () => {
  it('the machine emits snapshot and event inspection events for every step of the scenario', async () => {
    const events: InspectionEvent[] = [];
    const timeline = await runInspectedScenario((e) => events.push(e));
    expect(timeline.join('\n')).toContain('waiting → syncing');
    expect(timeline.join('\n')).toContain('load-balancing → communication-recovery');
    expect(timeline.join('\n')).toContain('→ partner-down');
    expect(events.some((e) => e.type === '@xstate.actor')).toBe(true);
    expect(events.filter((e) => e.type === '@xstate.event').length).toBeGreaterThan(10);
    expect(events.filter((e) => e.type === '@xstate.snapshot').length).toBeGreaterThan(10);
  });

  it('the websocket inspector delivers the events through the Node relay server to a receiver', async () => {
    const port = 20000 + (process.pid % 20000);
    const server = createInspectorServer({ port, autoOpen: false });
    cleanups.push(() => server.stop());
    await new Promise((resolve) => setTimeout(resolve, 200));
    const received: StatelyInspectionEvent[] = [];
    const receiver = createWebSocketReceiver({ server: `ws://127.0.0.1:${port}` });
    const subscription = receiver.subscribe((e) => received.push(e));
    cleanups.push(() => subscription.unsubscribe());
    const inspector = createWebSocketInspector({ url: `ws://127.0.0.1:${port}` });
    cleanups.push(() => inspector.stop());
    await new Promise((resolve) => setTimeout(resolve, 300));
    await runInspectedScenario(inspector.inspect);
    const deadline = Date.now() + 5000;
    while (!received.some((e) => e.type === '@xstate.snapshot') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(received.some((e) => e.type === '@xstate.snapshot')).toBe(true);
    expect(received.some((e) => e.type === '@xstate.event')).toBe(true);
  });
});
