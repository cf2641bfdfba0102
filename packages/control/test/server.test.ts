import { afterEach, describe, expect, it } from 'vitest';
import { type ControlAnswer, type ControlRequest, answer, parsePeerAnswer, serializeKea } from '@tandem/core';
import { PeerClient, type ControlLog, type ControlServer, type ControlServerOptions, startControlServer } from '../src/index.js';
import { RFC1123, RawConnection, capturedExchange, eventually, parseBody, postBytes, topLevelCaptures } from './support.js';

type Received = { request: ControlRequest; remoteAddress: string };
type Logged = { level: string; msgId: string; message: string };

const servers: ControlServer[] = [];
const clients: PeerClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A listener whose dispatcher (a test double written here) records requests and answers via `reply`. */
async function listener(
  reply: (request: ControlRequest) => ControlAnswer | Promise<ControlAnswer> = (request) => answer(2, `'${request.command}' command not supported.`),
  options: Partial<ControlServerOptions> = {},
): Promise<{ server: ControlServer; received: Received[]; logged: Logged[]; url: string }> {
  const received: Received[] = [];
  const logged: Logged[] = [];
  const log: ControlLog = (level, msgId, message) => logged.push({ level, msgId, message });
  const server = await startControlServer({
    host: '127.0.0.1',
    port: 0,
    log,
    dispatch: async (request, meta) => {
      received.push({ request, remoteAddress: meta.remoteAddress });
      return reply(request);
    },
    ...options,
  });
  servers.push(server);
  return { server, received, logged, url: `http://127.0.0.1:${server.address.port}/` };
}

function client(url: string, options: { maxSockets?: number } = {}): PeerClient {
  const created = new PeerClient({ url, ...options });
  clients.push(created);
  return created;
}

const heartbeat: ControlRequest = { command: 'ha-heartbeat', service: ['dhcp4'] };
const heartbeatAnswer = answer(0, 'HA peer status returned.', {
  'date-time': 'Sun, 22 Nov 2026 00:11:38 GMT',
  scopes: [],
  state: 'hot-standby',
  'unsent-update-count': 0,
});

const headerNames = (message: { headers: readonly (readonly [string, string])[] }): string[] => message.headers.map(([name]) => name);
const header = (message: { headers: readonly (readonly [string, string])[] }, name: string): string | undefined =>
  message.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];

describe('control server: round trip', () => {
  it('MT-01 answers a heartbeat sent by the peer client with a one-element list the HA check accepts', async () => {
    const { url, received } = await listener(() => heartbeatAnswer);
    const reply = await client(url).send(heartbeat, { timeoutMs: 2000 });
    expect(reply).toMatchObject({ kind: 'answer', status: 200 });
    if (reply.kind !== 'answer') return;
    expect(reply.body).toEqual([heartbeatAnswer]);
    expect(parsePeerAnswer(reply.body)).toMatchObject({ kind: 'ok', result: 0, text: 'HA peer status returned.' });
    expect(received).toEqual([{ request: heartbeat, remoteAddress: '127.0.0.1' }]);
  });

  it('unknown command: the dispatcher answer (result 2) reaches the client as a list', async () => {
    const { url } = await listener();
    const reply = await client(url).send({ command: 'no-such-command', service: ['dhcp4'] }, { timeoutMs: 2000 });
    expect(reply).toMatchObject({ kind: 'answer', status: 200, body: [{ result: 2, text: "'no-such-command' command not supported." }] });
    if (reply.kind === 'answer') expect(parsePeerAnswer(reply.body)).toMatchObject({ kind: 'unsupported' });
  });

  it('a dispatcher that throws yields result 1 naming the failure, and the server keeps serving', async () => {
    let calls = 0;
    const { url } = await listener(() => {
      calls++;
      if (calls === 1) throw new Error('lease store unavailable');
      return heartbeatAnswer;
    });
    const peer = client(url);
    const first = await peer.send(heartbeat, { timeoutMs: 2000 });
    expect(first).toMatchObject({ kind: 'answer', body: [{ result: 1, text: 'Error during command processing: lease store unavailable' }] });
    expect(await peer.send(heartbeat, { timeoutMs: 2000 })).toMatchObject({ kind: 'answer', body: [heartbeatAnswer] });
  });
});

describe('control server: answer framing is byte-identical to Kea 2.2', () => {
  // Every canonical capture: send Kea's (or curl's) request bytes verbatim, let the dispatcher return
  // the answer Kea gave, and compare the HTTP answer with Kea's byte for byte, the Date value aside.
  for (const name of topLevelCaptures()) {
    it(`replays ${name}`, async () => {
      const captured = capturedExchange(name);
      const keaAnswer = (parseBody(captured.response.body) as ControlAnswer[])[0]!;
      const { server, received } = await listener(() => keaAnswer);
      const connection = await RawConnection.open(server.address.port);
      connection.write(captured.requestBytes);
      const response = await connection.readMessage();
      connection.destroy();

      expect(response.startLine).toBe(captured.response.startLine);
      expect(headerNames(response)).toEqual(headerNames(captured.response));
      expect(header(response, 'Content-Length')).toBe(header(captured.response, 'Content-Length'));
      expect(header(response, 'Content-Type')).toBe('application/json');
      expect(header(response, 'Date')).toMatch(RFC1123);
      expect(response.body).toBe(captured.response.body);
      expect(received.map((r) => serializeKea(r.request))).toEqual([serializeKea(parseBody(captured.request.body))]);
    });
  }
});

describe('control server: refusals', () => {
  it('malformed JSON: 400 with Kea stock map naming the problem; the connection keeps serving', async () => {
    const { server, received, logged } = await listener(() => heartbeatAnswer);
    const connection = await RawConnection.open(server.address.port);
    connection.write(postBytes('{"command": "ha-heartbeat", '));
    const refused = await connection.readMessage();
    expect(refused.startLine).toBe('HTTP/1.1 400 Bad Request');
    expect(headerNames(refused)).toEqual(['Content-Length', 'Content-Type', 'Date']);
    const body = parseBody(refused.body) as { result: number; text: string };
    expect(body.result).toBe(400);
    expect(body.text).toMatch(/^Bad Request: unable to parse the body of the HTTP request: invalid JSON at offset \d+/);
    expect(logged.some((l) => l.msgId === 'HTTP_BAD_CLIENT_REQUEST_RECEIVED')).toBe(true);

    connection.write(postBytes('{"command":"ha-heartbeat","service":["dhcp4"]}'));
    const served = await connection.readMessage();
    expect(served.startLine).toBe('HTTP/1.1 200 OK');
    expect(parseBody(served.body)).toEqual([heartbeatAnswer]);
    expect(received).toHaveLength(1);
    connection.destroy();
  });

  it('a JSON body that is not a command gets result 1 in list form, as Kea\'s command manager answers', async () => {
    const { server } = await listener(() => heartbeatAnswer);
    const connection = await RawConnection.open(server.address.port);
    connection.write(postBytes('{"service":["dhcp4"]}'));
    const missing = await connection.readMessage();
    expect(missing.startLine).toBe('HTTP/1.1 200 OK');
    expect(missing.body).toBe(
      `[ { "result": 1, "text": "Error during command processing: Invalid answer specified, does not contain mandatory 'command'" } ]`,
    );
    connection.write(postBytes('[1, 2]'));
    expect((await connection.readMessage()).body).toBe(
      '[ { "result": 1, "text": "Error during command processing: Invalid command Element specified, expected map" } ]',
    );
    connection.write(postBytes(''));
    expect(parseBody((await connection.readMessage()).body)).toEqual([{ result: 1, text: 'Command processing failed: the request body is empty' }]);
    connection.destroy();
  });

  it('oversized body: 413 with result 1 "request body too large", connection closed cleanly, server keeps serving', async () => {
    const { server, received } = await listener(() => heartbeatAnswer, { maxBodyBytes: 1000 });
    const connection = await RawConnection.open(server.address.port);
    const big = `{"command":"ha-heartbeat","arguments":{"pad":"${'x'.repeat(5000)}"}}`;
    connection.write(postBytes(big));
    const refused = await connection.readMessage();
    expect(refused.startLine).toBe('HTTP/1.1 413 Payload Too Large');
    expect(headerNames(refused)).toEqual(['Connection', 'Content-Length', 'Content-Type', 'Date']);
    expect(header(refused, 'Connection')).toBe('close');
    expect(parseBody(refused.body)).toEqual({ result: 1, text: `request body too large: ${big.length} bytes exceed the limit of 1000 bytes` });
    expect(await connection.waitClosed(2000)).toBe(true);
    expect(received).toHaveLength(0);

    const reply = await client(`http://127.0.0.1:${server.address.port}/`).send(heartbeat, { timeoutMs: 2000 });
    expect(reply).toMatchObject({ kind: 'answer', status: 200 });
  });

  it('oversized body announced with Expect: 100-continue is refused before the body is sent', async () => {
    const { server } = await listener(() => heartbeatAnswer, { maxBodyBytes: 1000 });
    const connection = await RawConnection.open(server.address.port);
    connection.write(
      ['POST / HTTP/1.1', 'Host: 127.0.0.1', 'Content-Type: application/json', 'Content-Length: 2000000', 'Expect: 100-continue', '', ''].join('\r\n'),
    );
    const refused = await connection.readMessage();
    expect(refused.startLine).toBe('HTTP/1.1 413 Payload Too Large');
    expect(await connection.waitClosed(2000)).toBe(true);
  });

  it('wrong method: 400 "use of HTTP GET not allowed" (Kea knows no 405), and the connection keeps serving', async () => {
    const { server } = await listener(() => heartbeatAnswer);
    const connection = await RawConnection.open(server.address.port);
    connection.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const refused = await connection.readMessage();
    expect(refused.startLine).toBe('HTTP/1.1 400 Bad Request');
    expect(refused.body).toBe('{ "result": 400, "text": "Bad Request: use of HTTP GET not allowed" }');
    connection.write(postBytes('{"command":"ha-heartbeat"}'));
    expect((await connection.readMessage()).startLine).toBe('HTTP/1.1 200 OK');
    connection.destroy();
  });

  it('missing or foreign Content-Type: 400, as Kea requires application/json', async () => {
    const { server, received } = await listener(() => heartbeatAnswer);
    const connection = await RawConnection.open(server.address.port);
    const body = '{"command":"ha-heartbeat"}';
    connection.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    expect(parseBody((await connection.readMessage()).body)).toEqual({
      result: 400,
      text: 'Bad Request: required header content-type not found in the HTTP request',
    });
    connection.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    expect((await connection.readMessage()).startLine).toBe('HTTP/1.1 400 Bad Request');
    connection.write(postBytes(body, [], 'POST').replace('Content-Type: application/json', 'Content-Type: application/json; charset=utf-8'));
    expect((await connection.readMessage()).startLine).toBe('HTTP/1.1 200 OK');
    expect(received).toHaveLength(1);
    connection.destroy();
  });

  it('a chunked request (no Content-Length) is refused like Kea refuses it', async () => {
    const { server } = await listener(() => heartbeatAnswer);
    const connection = await RawConnection.open(server.address.port);
    const body = '{"command":"ha-heartbeat"}';
    connection.write(
      `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    );
    expect(parseBody((await connection.readMessage()).body)).toEqual({
      result: 400,
      text: 'Bad Request: required header content-length not found in the HTTP request',
    });
    connection.destroy();
  });

  it('garbage instead of HTTP: 400 stock answer and the connection is closed', async () => {
    const { server, logged } = await listener(() => heartbeatAnswer);
    const connection = await RawConnection.open(server.address.port);
    connection.write('HELLO THERE\r\n\r\n');
    const refused = await connection.readMessage();
    expect(refused.startLine).toBe('HTTP/1.1 400 Bad Request');
    expect((parseBody(refused.body) as { result: number }).result).toBe(400);
    expect(await connection.waitClosed(2000)).toBe(true);
    expect(logged.some((l) => l.msgId === 'HTTP_BAD_CLIENT_REQUEST_RECEIVED')).toBe(true);
  });

  it('a request that does not arrive in time is answered 408 Request Timeout', async () => {
    const { server, logged } = await listener(() => heartbeatAnswer, { requestTimeoutMs: 300 });
    const connection = await RawConnection.open(server.address.port);
    connection.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"comm');
    const refused = await connection.readMessage(3000);
    expect(refused.startLine).toBe('HTTP/1.1 408 Request Timeout');
    expect(refused.body).toBe('{ "result": 408, "text": "Request Timeout" }');
    expect(await connection.waitClosed(2000)).toBe(true);
    expect(logged.some((l) => l.msgId === 'HTTP_CLIENT_REQUEST_TIMEOUT_OCCURRED')).toBe(true);
  });
});

describe('control server: Basic authentication', () => {
  const credentials = [
    { user: 'admin', password: 'secret' },
    { user: 'peer', password: 'p@ss:word' },
  ];

  it('accepts any configured credential', async () => {
    const { url } = await listener(() => heartbeatAnswer, { basicAuth: credentials });
    for (const basicAuth of credentials) {
      const peer = new PeerClient({ url, basicAuth });
      clients.push(peer);
      expect(await peer.send(heartbeat, { timeoutMs: 2000 })).toMatchObject({ kind: 'answer', status: 200, body: [heartbeatAnswer] });
    }
  });

  it('wrong password, unknown user, no header, another scheme: 401 with Kea\'s map body and WWW-Authenticate; nothing dispatched', async () => {
    const { server, received, logged } = await listener(() => heartbeatAnswer, { basicAuth: credentials, authRealm: 'ha' });
    const connection = await RawConnection.open(server.address.port);
    const body = '{"command":"ha-heartbeat"}';
    const attempts = [
      [`Authorization: Basic ${Buffer.from('admin:wrong').toString('base64')}`],
      [`Authorization: Basic ${Buffer.from('nobody:secret').toString('base64')}`],
      [],
      [`Authorization: Bearer ${Buffer.from('admin:secret').toString('base64')}`],
      ['Authorization: Basic'],
    ];
    for (const extra of attempts) {
      connection.write(postBytes(body, extra));
      const refused = await connection.readMessage();
      expect(refused.startLine).toBe('HTTP/1.1 401 Unauthorized');
      expect(headerNames(refused)).toEqual(['Content-Length', 'Content-Type', 'Date', 'WWW-Authenticate']);
      expect(header(refused, 'WWW-Authenticate')).toBe('Basic realm="ha"');
      expect(refused.body).toBe('{ "result": 401, "text": "Unauthorized" }');
    }
    expect(received).toHaveLength(0);
    expect(logged.map((l) => l.msgId)).toEqual(
      expect.arrayContaining(['HTTP_CLIENT_REQUEST_NOT_AUTHORIZED', 'HTTP_CLIENT_REQUEST_NO_AUTH_HEADER', 'HTTP_CLIENT_REQUEST_BAD_AUTH_HEADER']),
    );
    // Kea lower-cases the scheme before comparing it.
    connection.write(postBytes(body, [`Authorization: bAsIc ${Buffer.from('admin:secret').toString('base64')}`]));
    expect((await connection.readMessage()).startLine).toBe('HTTP/1.1 200 OK');
    connection.destroy();
  });

  it('CMD-08/CMD-11 the peer client sees a 401 as an answer whose map body the HA check turns into an error', async () => {
    const { url } = await listener(() => heartbeatAnswer, { basicAuth: credentials });
    const reply = await client(url).send(heartbeat, { timeoutMs: 2000 });
    expect(reply).toMatchObject({ kind: 'answer', status: 401, body: { result: 401, text: 'Unauthorized' } });
    if (reply.kind === 'answer') expect(parsePeerAnswer(reply.body)).toEqual({ kind: 'error', text: 'Unauthorized, error code 1', result: 1, peerText: 'Unauthorized' });
  });
});

describe('control server: restrict-commands', () => {
  it('CMD-17 a restricted listener receiving ha-sync answers HTTP 403 {"result": 403, "text": "Forbidden"}; listed commands are served', async () => {
    const { server, received, logged } = await listener(() => heartbeatAnswer, { restrictCommands: new Set(['ha-heartbeat', 'lease4-update']) });
    const connection = await RawConnection.open(server.address.port);
    connection.write(postBytes('{"command":"ha-sync","service":["dhcp4"],"arguments":{"server-name":"server2"}}'));
    const refused = await connection.readMessage();
    expect(refused.startLine).toBe('HTTP/1.1 403 Forbidden');
    expect(headerNames(refused)).toEqual(['Content-Length', 'Content-Type', 'Date']);
    expect(refused.body).toBe('{ "result": 403, "text": "Forbidden" }');
    expect(logged.some((l) => l.msgId === 'COMMAND_HTTP_LISTENER_COMMAND_REJECTED' && l.message.includes("'ha-sync'"))).toBe(true);
    connection.write(postBytes('{"command":"ha-heartbeat","service":["dhcp4"]}'));
    expect((await connection.readMessage()).startLine).toBe('HTTP/1.1 200 OK');
    expect(received.map((r) => r.request.command)).toEqual(['ha-heartbeat']);
    connection.destroy();
  });
});

describe('control server: connections', () => {
  it('keeps one TCP connection for many sequential requests of one client', async () => {
    const { server, url } = await listener(() => heartbeatAnswer);
    const peer = client(url);
    for (let i = 0; i < 20; i++) expect(await peer.send(heartbeat, { timeoutMs: 2000 })).toMatchObject({ kind: 'answer', status: 200 });
    expect(server.stats()).toMatchObject({ connectionsAccepted: 1, requestsAnswered: 20 });
  });

  it('concurrent requests share at most maxSockets connections', async () => {
    const { server, url } = await listener(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return heartbeatAnswer;
    });
    const peer = client(url, { maxSockets: 4 });
    const replies = await Promise.all(Array.from({ length: 16 }, () => peer.send(heartbeat, { timeoutMs: 5000 })));
    expect(replies.every((r) => r.kind === 'answer' && r.status === 200)).toBe(true);
    expect(server.stats().connectionsAccepted).toBe(4);
    expect(server.stats().requestsAnswered).toBe(16);
  });

  it('pipelined requests on one connection are answered in order', async () => {
    const { server } = await listener((request) => answer(0, String(request.arguments?.n)));
    const connection = await RawConnection.open(server.address.port);
    connection.write([1, 2, 3].map((n) => postBytes(`{"command":"x","arguments":{"n":${n}}}`)).join(''));
    for (const n of [1, 2, 3]) expect(parseBody((await connection.readMessage()).body)).toEqual([{ result: 0, text: String(n) }]);
    connection.destroy();
  });

  it('closes a connection idle for idleTimeoutMs (Kea: 30 s)', async () => {
    const { server, logged } = await listener(() => heartbeatAnswer, { idleTimeoutMs: 200 });
    const connection = await RawConnection.open(server.address.port);
    connection.write(postBytes('{"command":"ha-heartbeat"}'));
    await connection.readMessage();
    const started = Date.now();
    expect(await connection.waitClosed(3000)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(700);
    expect(logged.some((l) => l.msgId === 'HTTP_IDLE_CONNECTION_TIMEOUT_OCCURRED')).toBe(true);
  });

  it('never closes a connection while its request is being answered, however long that takes', async () => {
    const { server } = await listener(async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return heartbeatAnswer;
    }, { idleTimeoutMs: 100 });
    const connection = await RawConnection.open(server.address.port);
    connection.write(postBytes('{"command":"ha-heartbeat"}'));
    expect((await connection.readMessage()).startLine).toBe('HTTP/1.1 200 OK');
    expect(connection.closed).toBe(false);
    expect(await connection.waitClosed(1000)).toBe(true);
  });

  it('closes a connection that never sends a request after idleTimeoutMs', async () => {
    const { server } = await listener(() => heartbeatAnswer, { idleTimeoutMs: 100 });
    const connection = await RawConnection.open(server.address.port);
    expect(await connection.waitClosed(1000)).toBe(true);
    await eventually(() => expect(server.stats().connectionsOpen).toBe(0));
  });

  it('survives clients that reset mid-request and mid-answer', async () => {
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { server } = await listener(async (request) => {
      if (request.command === 'slow') await slow;
      return heartbeatAnswer;
    });
    const partial = await RawConnection.open(server.address.port);
    partial.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"com');
    await new Promise((resolve) => setTimeout(resolve, 50));
    partial.reset();

    const waiting = await RawConnection.open(server.address.port);
    waiting.write(postBytes('{"command":"slow"}'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    waiting.reset();
    release();
    await new Promise((resolve) => setTimeout(resolve, 50));

    const headerOnly = await RawConnection.open(server.address.port);
    headerOnly.write('POST / HTT');
    headerOnly.reset();

    expect(await client(`http://127.0.0.1:${server.address.port}/`).send(heartbeat, { timeoutMs: 2000 })).toMatchObject({
      kind: 'answer',
      status: 200,
    });
  });

  it('close() ends idle keep-alive connections too', async () => {
    const { server } = await listener(() => heartbeatAnswer);
    const connection = await RawConnection.open(server.address.port);
    connection.write(postBytes('{"command":"ha-heartbeat"}'));
    await connection.readMessage();
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    expect(await connection.waitClosed(2000)).toBe(true);
  });

  it('refuses to start on a port in use, saying where', async () => {
    const { server } = await listener();
    await expect(startControlServer({ host: '127.0.0.1', port: server.address.port, dispatch: async () => heartbeatAnswer })).rejects.toThrow(
      `cannot start the control channel listener on 127.0.0.1 port ${server.address.port}: listen EADDRINUSE`,
    );
  });
});
