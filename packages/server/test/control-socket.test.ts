import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { success } from '../src/commands/answer.js';
import { CommandRegistry } from '../src/commands/registry.js';
import { JsonFrame } from '../src/control/json-frame.js';
import { UnixControlSocket } from '../src/control/unix-control-socket.js';

const dirs: string[] = [];
const sockets: UnixControlSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const socketPath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-ctl-'));
  dirs.push(dir);
  return join(dir, 'kea4-ctrl-socket');
};

/** Writes `chunks` as separate writes and reads until the daemon closes the connection. */
const exchange = (path: string, chunks: string[]): Promise<string> =>
  new Promise((resolve, reject) => {
    const client = net.connect(path);
    let answer = '';
    client.setEncoding('utf8');
    client.on('data', (d) => (answer += d));
    client.on('end', () => resolve(answer));
    client.on('error', reject);
    client.on('connect', async () => {
      for (const chunk of chunks) {
        client.write(chunk);
        await new Promise((r) => setTimeout(r, 10));
      }
    });
  });

const openWithEcho = async (path: string) => {
  const registry = new CommandRegistry<void>().register('echo-args', async (args) => success('echoed', args ?? null));
  const control = await UnixControlSocket.open({ path, dispatch: (request) => registry.dispatch(request, undefined) });
  sockets.push(control);
  return control;
};

describe('unix control socket (Kea command channel)', () => {
  it('answers one command with a bare Kea-formatted object and closes the connection', async () => {
    const path = socketPath();
    await openWithEcho(path);
    const answer = await exchange(path, ['{ "command": "echo-args", "arguments": { "b": [ ], "a": 1 } }']);
    expect(answer).toBe('{ "arguments": { "a": 1, "b": [  ] }, "result": 0, "text": "echoed" }');
  });

  it('waits for a command split across several writes, including braces inside strings', async () => {
    const path = socketPath();
    await openWithEcho(path);
    const answer = await exchange(path, ['{"command": "echo-a', 'rgs", "arguments": {"t": "}{', '"}}']);
    expect(JSON.parse(answer)).toEqual({ arguments: { t: '}{' }, result: 0, text: 'echoed' });
  });

  it("unknown command: result 2 \"'<name>' command not supported.\"", async () => {
    const path = socketPath();
    await openWithEcho(path);
    expect(JSON.parse(await exchange(path, ['{"command": "no-such-command", "service": ["dhcp4"]}']))).toEqual({
      result: 2,
      text: "'no-such-command' command not supported.",
    });
  });

  it('malformed requests get result 1 with a text saying what is wrong', async () => {
    const path = socketPath();
    await openWithEcho(path);
    expect(JSON.parse(await exchange(path, ['{"comand": "list-commands"}']))).toEqual({
      result: 1,
      text: "Error during command processing: Invalid answer specified, does not contain mandatory 'command'",
    });
    expect(JSON.parse(await exchange(path, ['{"command": 7}'])).text).toContain("'command' element in command message is not a string");
    expect(JSON.parse(await exchange(path, ['{"command": "x", "extra": 1}'])).text).toContain("unsupported parameter 'extra'");
    expect(JSON.parse(await exchange(path, ['[1, 2]'])).text).toContain('expected map');
    expect(JSON.parse(await exchange(path, ['{"command": "x",, }'])).text).toMatch(/^invalid JSON command/);
  });

  it('list-commands lists every registered command, sorted', async () => {
    const path = socketPath();
    await openWithEcho(path);
    expect(JSON.parse(await exchange(path, ['{"command": "list-commands"}']))).toEqual({ arguments: ['echo-args', 'list-commands'], result: 0 });
  });

  it('a stale socket file left by a killed daemon is replaced; a live one is refused', async () => {
    const path = socketPath();
    const stale = net.createServer();
    await new Promise<void>((r) => stale.listen(path, r));
    await expect(openWithEcho(path)).rejects.toThrow(/in use by another running daemon/);
    // Simulate a crash: the file stays, nobody listens.
    (stale as unknown as { _handle: { close(): void } })._handle.close();
    await openWithEcho(path);
    expect(JSON.parse(await exchange(path, ['{"command": "list-commands"}'])).result).toBe(0);
  });

  it('a connection that never completes its command is answered with a timeout error', async () => {
    const path = socketPath();
    const registry = new CommandRegistry<void>();
    sockets.push(await UnixControlSocket.open({ path, dispatch: (r) => registry.dispatch(r, undefined), idleTimeoutMs: 100 }));
    const answer = JSON.parse(await exchange(path, ['{"command": "list-']));
    expect(answer).toEqual({ result: 1, text: 'Connection over control channel timed out, discarded partial command of 18 bytes' });
  });
});

describe('JsonFrame', () => {
  it('completes exactly at the closing brace of the first value and not before', () => {
    const frame = new JsonFrame();
    frame.push('  {"a": "\\"}", "b": [1, {"c": 2}');
    expect(frame.complete()).toBeUndefined();
    frame.push(']}');
    expect(JSON.parse(frame.complete() as string)).toEqual({ a: '"}', b: [1, { c: 2 }] });
  });
});
