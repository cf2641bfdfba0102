import { afterEach, describe, expect, it } from 'vitest';
import { type ControlRequest, answer, parsePeerAnswer } from '@tandem/core';
import { PeerClient, type ControlServer, startControlServer } from '../src/index.js';
import { RawHttpServer, keaAnswerBytes } from './raw-http-server.js';
import { capturedExchange, isKeaFormatted, parseBody, topLevelCaptures, unusedPort } from './support.js';

const rawServers: RawHttpServer[] = [];
const servers: ControlServer[] = [];
const clients: PeerClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all([...rawServers.splice(0).map((s) => s.close()), ...servers.splice(0).map((s) => s.close())]);
});

async function rawServer(...args: Parameters<typeof RawHttpServer.start>): Promise<RawHttpServer> {
  const server = await RawHttpServer.start(...args);
  rawServers.push(server);
  return server;
}

function client(url: string, options: Omit<ConstructorParameters<typeof PeerClient>[0], 'url'> = {}): PeerClient {
  const created = new PeerClient({ url, ...options });
  clients.push(created);
  return created;
}

const heartbeat: ControlRequest = { command: 'ha-heartbeat', service: ['dhcp4'] };
const okBody = '[ { "result": 0, "text": "ok" } ]';
const ok = () => ({ send: keaAnswerBytes(okBody) });

const headerNames = (headers: readonly (readonly [string, string])[]): string[] => headers.map(([name]) => name);

/** The captures whose request Kea itself sent (peer → peer), as opposed to the harness' curl. */
const peerCaptures = topLevelCaptures().filter((name) => isKeaFormatted(capturedExchange(name).request.body));

describe('peer client: request framing is byte-identical to Kea 2.2', () => {
  it('the captured set holds Kea-sent requests to compare with, ha-heartbeat among them', () => {
    expect(peerCaptures).toEqual(expect.arrayContaining(['ha-heartbeat.peer.http.txt', 'lease4-update.http.txt', 'dhcp-disable.http.txt']));
  });

  for (const name of peerCaptures) {
    it(`sends ${name} as Kea does (headers except Host/Content-Length values, body byte for byte)`, async () => {
      const captured = capturedExchange(name);
      const server = await rawServer(ok);
      const request = parseBody(captured.request.body) as ControlRequest;
      await client(server.url).send(request, { timeoutMs: 2000 });
      const sent = server.requests[0]!.message;

      expect(sent.startLine).toBe(captured.request.startLine);
      expect(headerNames(sent.headers)).toEqual(headerNames(captured.request.headers));
      expect(sent.headers.find(([n]) => n === 'Host')?.[1]).toBe('127.0.0.1');
      expect(sent.headers.find(([n]) => n === 'Content-Type')?.[1]).toBe('application/json');
      expect(sent.body).toBe(captured.request.body);
      // Same body, so the same length; checked anyway since it is computed separately.
      expect(sent.headers.find(([n]) => n === 'Content-Length')?.[1]).toBe(captured.request.headers.find(([n]) => n === 'Content-Length')?.[1]);
    });
  }

  it('ha-heartbeat: the exact bytes Kea sends, but for the Host value', async () => {
    const captured = capturedExchange('ha-heartbeat.peer.http.txt');
    const server = await rawServer(ok);
    await client(server.url).send(heartbeat, { timeoutMs: 2000 });
    expect(server.requests[0]!.raw).toBe(captured.requestBytes.replace('Host: 198.18.0.12', 'Host: 127.0.0.1'));
  });

  it('Basic auth: Authorization goes between Host and Content-Length, as Kea orders its headers', async () => {
    const server = await rawServer(ok);
    await client(server.url, { basicAuth: { user: 'ha', password: 'secret' } }).send(heartbeat, { timeoutMs: 2000 });
    const sent = server.requests[0]!.message;
    expect(headerNames(sent.headers)).toEqual(['Host', 'Authorization', 'Content-Length', 'Content-Type']);
    expect(sent.headers[1]![1]).toBe(`Basic ${Buffer.from('ha:secret').toString('base64')}`);
  });

  it('CFG-27 an empty basic-auth-user sends no Authorization header', async () => {
    const server = await rawServer(ok);
    await client(server.url, { basicAuth: { user: '', password: 'ignored' } }).send(heartbeat, { timeoutMs: 2000 });
    expect(headerNames(server.requests[0]!.message.headers)).toEqual(['Host', 'Content-Length', 'Content-Type']);
  });

  it('IPv6 peer: Host carries the address without brackets or port', async () => {
    const server = await startControlServer({ host: '::1', port: 0, dispatch: async () => answer(0, 'ok') }).catch(() => undefined);
    if (server === undefined) return; // no IPv6 loopback on this machine
    servers.push(server);
    const reply = await client(`http://[::1]:${server.address.port}/`).send(heartbeat, { timeoutMs: 2000 });
    expect(reply).toMatchObject({ kind: 'answer', status: 200 });
  });
});

describe('peer client: reads real Kea answers', () => {
  for (const name of topLevelCaptures()) {
    it(`parses the answer of ${name} replayed byte for byte`, async () => {
      const captured = capturedExchange(name);
      const server = await rawServer(() => ({ send: captured.responseBytes }));
      const reply = await client(server.url).send(parseBody(captured.request.body) as ControlRequest, { timeoutMs: 2000 });
      expect(reply.kind).toBe('answer');
      if (reply.kind !== 'answer') return;
      expect(reply.status).toBe(200);
      // Doubles come back as plain numbers (`0.0` → 0): the HA checks need no more.
      expect(reply.body).toEqual(JSON.parse(captured.response.body));
      const checked = parsePeerAnswer(reply.body);
      const result = (parseBody(captured.response.body) as { result: number }[])[0]!.result;
      expect(checked.kind).toBe(result === 2 ? 'unsupported' : 'ok');
    });
  }

  it('an answer that is not JSON is a transport error naming the parse failure', async () => {
    const server = await rawServer(() => ({ send: keaAnswerBytes('<html>oops</html>') }));
    const reply = await client(server.url).send(heartbeat, { timeoutMs: 2000 });
    expect(reply).toMatchObject({ kind: 'transport-error', failure: 'bad-answer' });
    if (reply.kind === 'transport-error') expect(reply.message).toMatch(/^unable to parse the body of the HTTP response: /);
  });

  it('an empty body comes back as an answer without body, which the HA check refuses', async () => {
    const server = await rawServer(() => ({ send: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nContent-Type: application/json\r\n\r\n' }));
    const reply = await client(server.url).send(heartbeat, { timeoutMs: 2000 });
    expect(reply).toEqual({ kind: 'answer', status: 200, body: undefined });
    expect(parsePeerAnswer(undefined)).toMatchObject({ kind: 'error', text: 'no body found in the response' });
  });

  it('an answer cut short by the peer closing is a transport error', async () => {
    const server = await rawServer(() => ({ send: 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Type: application/json\r\n\r\n[ { "res', thenClose: true }));
    const reply = await client(server.url).send(heartbeat, { timeoutMs: 2000 });
    expect(reply).toMatchObject({ kind: 'transport-error', failure: 'reset' });
  });

  it('an answer above maxAnswerBytes is refused without being kept', async () => {
    const server = await rawServer(() => ({ send: keaAnswerBytes(`[ { "result": 0, "text": "${'x'.repeat(5000)}" } ]`) }));
    const reply = await client(server.url, { maxAnswerBytes: 1000 }).send(heartbeat, { timeoutMs: 2000 });
    expect(reply).toEqual({ kind: 'transport-error', failure: 'bad-answer', message: 'the answer exceeds 1000 bytes' });
  });
});

describe('peer client: transport failures never throw', () => {
  it('connection refused → transport-error "Connection refused"', async () => {
    const port = await unusedPort();
    const reply = await client(`http://127.0.0.1:${port}/`).send(heartbeat, { timeoutMs: 2000 });
    expect(reply).toEqual({ kind: 'transport-error', failure: 'refused', message: 'Connection refused' });
  });

  it('a peer that never answers → transport-error timeout after timeoutMs, and the next request gets a fresh connection', async () => {
    const server = await rawServer((_request, index) => (index === 0 ? { silence: true } : ok()));
    const peer = client(server.url);
    const started = Date.now();
    const reply = await peer.send(heartbeat, { timeoutMs: 300 });
    const elapsed = Date.now() - started;
    expect(reply).toEqual({ kind: 'transport-error', failure: 'timeout', message: 'Connection timed out' });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1000);
    expect(await peer.send(heartbeat, { timeoutMs: 2000 })).toMatchObject({ kind: 'answer', status: 200 });
    expect(server.connections).toBe(2);
  });

  it('the timeout includes the wait for a free connection', async () => {
    const server = await rawServer(() => ({ silence: true }));
    const peer = client(server.url, { maxSockets: 1 });
    const started = Date.now();
    const replies = await Promise.all([peer.send(heartbeat, { timeoutMs: 300 }), peer.send(heartbeat, { timeoutMs: 300 })]);
    expect(replies.map((r) => r.kind === 'transport-error' && r.failure)).toEqual(['timeout', 'timeout']);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a closed client refuses to send', async () => {
    const peer = client('http://127.0.0.1:9/');
    peer.close();
    expect(await peer.send(heartbeat, { timeoutMs: 100 })).toEqual({ kind: 'transport-error', failure: 'other', message: 'the peer client is closed' });
  });

  it('a URL that is not http(s) is a configuration error at construction', () => {
    expect(() => new PeerClient({ url: 'ftp://127.0.0.1/' })).toThrow("bad peer url 'ftp://127.0.0.1/': the scheme must be http or https");
    expect(() => new PeerClient({ url: 'not a url' })).toThrow("bad peer url 'not a url': not a valid URL");
  });
});

describe('peer client: persistent connections and reconnects', () => {
  it('reuses one connection for sequential requests', async () => {
    const server = await rawServer(ok);
    const peer = client(server.url);
    for (let i = 0; i < 10; i++) expect(await peer.send(heartbeat, { timeoutMs: 2000 })).toMatchObject({ kind: 'answer' });
    expect(server.connections).toBe(1);
    expect(server.requests.every((r) => r.connection === 1)).toBe(true);
  });

  it('reconnects transparently when the peer closed the idle connection (Kea drops idle ones after 30 s)', async () => {
    const server = await startControlServer({ host: '127.0.0.1', port: 0, idleTimeoutMs: 100, dispatch: async () => answer(0, 'ok') });
    servers.push(server);
    const peer = client(`http://127.0.0.1:${server.address.port}/`);
    expect(await peer.send(heartbeat, { timeoutMs: 2000 })).toMatchObject({ kind: 'answer', status: 200 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.stats().connectionsOpen).toBe(0);
    expect(await peer.send(heartbeat, { timeoutMs: 2000 })).toMatchObject({ kind: 'answer', status: 200 });
    expect(server.stats().connectionsAccepted).toBe(2);
  });

  it('retries once on a fresh connection when a reused one is reset before any answer byte (the close race)', async () => {
    // The second request lands on the kept-alive connection just as the peer drops it.
    const server = await rawServer((_request, index) => (index === 1 ? { destroy: true } : ok()));
    const peer = client(server.url);
    expect(await peer.send(heartbeat, { timeoutMs: 2000 })).toMatchObject({ kind: 'answer' });
    const reply = await peer.send(heartbeat, { timeoutMs: 2000 });
    expect(reply).toMatchObject({ kind: 'answer', status: 200, body: [{ result: 0, text: 'ok' }] });
    expect(server.requests.map((r) => r.connection)).toEqual([1, 1, 2]);
  });

  it('does not retry when a fresh connection is reset: the peer may have acted on the request', async () => {
    const server = await rawServer(() => ({ destroy: true }));
    const reply = await client(server.url).send(heartbeat, { timeoutMs: 2000 });
    expect(reply).toMatchObject({ kind: 'transport-error', failure: 'reset' });
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry more than once', async () => {
    const server = await rawServer((_request, index) => (index === 0 ? ok() : { destroy: true }));
    const peer = client(server.url, { maxSockets: 1 });
    await peer.send(heartbeat, { timeoutMs: 2000 });
    const reply = await peer.send(heartbeat, { timeoutMs: 2000 });
    expect(reply).toMatchObject({ kind: 'transport-error', failure: 'reset' });
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry once part of the answer has arrived', async () => {
    const server = await rawServer((_request, index) =>
      index === 0 ? ok() : { send: 'HTTP/1.1 200 OK\r\nContent-Length: 50\r\nContent-Type: application/json\r\n\r\n[ {', thenClose: true },
    );
    const peer = client(server.url);
    await peer.send(heartbeat, { timeoutMs: 2000 });
    expect(await peer.send(heartbeat, { timeoutMs: 2000 })).toMatchObject({ kind: 'transport-error' });
    expect(server.requests).toHaveLength(2);
  });

  it('runs up to maxSockets requests in parallel over as many connections, no more', async () => {
    let open = 0;
    let peak = 0;
    const server = await startControlServer({
      host: '127.0.0.1',
      port: 0,
      dispatch: async () => {
        peak = Math.max(peak, ++open);
        await new Promise((resolve) => setTimeout(resolve, 50));
        open--;
        return answer(0, 'ok');
      },
    });
    servers.push(server);
    const peer = client(`http://127.0.0.1:${server.address.port}/`, { maxSockets: 3 });
    const replies = await Promise.all(Array.from({ length: 9 }, () => peer.send(heartbeat, { timeoutMs: 5000 })));
    expect(replies.every((r) => r.kind === 'answer')).toBe(true);
    expect(peak).toBe(3);
    expect(server.stats().connectionsAccepted).toBe(3);
  });
});
