import { createWebSocketInspector } from '@statelyai/inspect';
import { createInspectorServer } from '@statelyai/inspect/server';
import { runInspectedScenario } from './inspected-scenario.js';

// Usage: node packages/core/dist/examples/inspect.js [--port 8080] [--pause-ms 1500] [--open]
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
};
const port = Number(arg('--port', '8080'));
const pauseMs = Number(arg('--pause-ms', '1500'));
const server = createInspectorServer({ port, autoOpen: process.argv.includes('--open') });
const inspector = createWebSocketInspector({ url: `ws://127.0.0.1:${port}` });
console.log(`Stately inspector relay on http://127.0.0.1:${port}/ — open it in a browser to watch server1.`);
await new Promise((resolve) => setTimeout(resolve, 1000));
const timeline = await runInspectedScenario(inspector.inspect, { pauseMs, onStep: (line) => console.log(line) });
console.log(`${timeline.length} transitions; stopping.`);
await new Promise((resolve) => setTimeout(resolve, 500));
inspector.stop();
server.stop();
