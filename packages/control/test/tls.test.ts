import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ControlRequest, answer } from '@tandem/core';
import { PeerClient, type ControlLog, type ControlServer, type ControlServerTls, startControlServer } from '../src/index.js';

/** A throw-away PKI made with Debian's openssl: two CAs, a server and a client certificate under each. */
let dir: string;
const file = (name: string): string => join(dir, name);

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=Tandem test ${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', `${name}.key`, '-out', `${name}.pem`);
}

/** The server certificate deliberately names no IP address: Kea checks the chain only, never the name. */
function makeLeaf(name: string, ca: string, usage: 'serverAuth' | 'clientAuth'): void {
  openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
  writeFileSync(file(`${name}.ext`), `basicConstraints=CA:FALSE\nextendedKeyUsage=${usage}\n`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
}

/** A certificate signed by `ca` that expired in 2020 (issued under Debian's `faketime`). */
function makeExpiredLeaf(name: string, ca: string, usage: 'serverAuth' | 'clientAuth'): void {
  openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
  writeFileSync(file(`${name}.ext`), `basicConstraints=CA:FALSE\nextendedKeyUsage=${usage}\n`);
  execFileSync('faketime', ['2020-01-01 00:00:00', 'openssl', 'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.pem`], { cwd: dir, stdio: 'pipe' });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-control-tls-'));
  makeCa('ca');
  makeCa('other-ca');
  makeLeaf('server1', 'ca', 'serverAuth');
  makeLeaf('client', 'ca', 'clientAuth');
  makeLeaf('stranger', 'other-ca', 'clientAuth');
  makeLeaf('impostor', 'other-ca', 'serverAuth');
  makeExpiredLeaf('expired-server', 'ca', 'serverAuth');
  makeExpiredLeaf('expired-client', 'ca', 'clientAuth');
  mkdirSync(file('anchors'));
  copyFileSync(file('other-ca.pem'), file('anchors/1-other.pem'));
  copyFileSync(file('ca.pem'), file('anchors/2-ca.pem'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const servers: ControlServer[] = [];
const clients: PeerClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const heartbeat: ControlRequest = { command: 'ha-heartbeat', service: ['dhcp4'] };

async function tlsServer(
  overrides: Partial<ControlServerTls> = {},
): Promise<{ server: ControlServer; url: string; logged: string[] }> {
  const logged: string[] = [];
  const log: ControlLog = (_level, msgId) => logged.push(msgId);
  const server = await startControlServer({
    host: '127.0.0.1',
    port: 0,
    tls: { certFile: file('server1.pem'), keyFile: file('server1.key'), trustAnchor: file('ca.pem'), requireClientCerts: true, ...overrides },
    dispatch: async () => answer(0, 'HA peer status returned.'),
    log,
  });
  servers.push(server);
  return { server, url: `https://127.0.0.1:${server.address.port}/`, logged };
}

function client(url: string, tls: ConstructorParameters<typeof PeerClient>[0]['tls']): PeerClient {
  const created = new PeerClient({ url, tls });
  clients.push(created);
  return created;
}

const clientTls = () => ({ trustAnchor: file('ca.pem'), certFile: file('client.pem'), keyFile: file('client.key') });

describe('TLS (MT-02: works with client certificates; require-client-certs enforced)', () => {
  it('MT-02 mutual TLS: the handshake succeeds and requests share one connection', async () => {
    const { server, url } = await tlsServer();
    const peer = client(url, clientTls());
    for (let i = 0; i < 3; i++) {
      expect(await peer.send(heartbeat, { timeoutMs: 3000 })).toEqual({
        kind: 'answer',
        status: 200,
        body: [{ result: 0, text: 'HA peer status returned.' }],
      });
    }
    expect(server.stats().connectionsAccepted).toBe(1);
  });

  it('a client that trusts another CA refuses the server: transport-error tls', async () => {
    const { url } = await tlsServer();
    const reply = await client(url, { ...clientTls(), trustAnchor: file('other-ca.pem') }).send(heartbeat, { timeoutMs: 3000 });
    expect(reply).toMatchObject({ kind: 'transport-error', failure: 'tls' });
    if (reply.kind === 'transport-error') expect(reply.message).toMatch(/^TLS handshake failed: /);
  });

  it('a server certificate from another CA is refused even with the right name', async () => {
    const { url } = await tlsServer({ certFile: file('impostor.pem'), keyFile: file('impostor.key') });
    expect(await client(url, clientTls()).send(heartbeat, { timeoutMs: 3000 })).toMatchObject({ kind: 'transport-error', failure: 'tls' });
  });

  it('MT-02 require-client-certs: a client without certificate is refused, and the server keeps serving', async () => {
    const { url, logged } = await tlsServer();
    const reply = await client(url, { trustAnchor: file('ca.pem') }).send(heartbeat, { timeoutMs: 3000 });
    expect(reply).toEqual({ kind: 'transport-error', failure: 'tls', message: 'TLS handshake failed: tlsv13 alert certificate required' });
    expect(logged).toContain('HTTP_CONNECTION_HANDSHAKE_FAILED');
    expect(await client(url, clientTls()).send(heartbeat, { timeoutMs: 3000 })).toMatchObject({ kind: 'answer', status: 200 });
  });

  it('MT-02 require-client-certs: a client certificate from another CA is refused', async () => {
    const { url, logged } = await tlsServer();
    const reply = await client(url, { trustAnchor: file('ca.pem'), certFile: file('stranger.pem'), keyFile: file('stranger.key') }).send(heartbeat, {
      timeoutMs: 3000,
    });
    expect(reply.kind).toBe('transport-error');
    expect(logged).toContain('HTTP_CONNECTION_HANDSHAKE_FAILED');
  });

  it('an expired server certificate from the right CA is refused by the client', async () => {
    const { url } = await tlsServer({ certFile: file('expired-server.pem'), keyFile: file('expired-server.key') });
    const reply = await client(url, clientTls()).send(heartbeat, { timeoutMs: 3000 });
    expect(reply).toMatchObject({ kind: 'transport-error', failure: 'tls' });
    if (reply.kind === 'transport-error') expect(reply.message).toMatch(/expired/);
  });

  it('an expired client certificate from the right CA is refused, logged, and the server keeps serving', async () => {
    const { url, logged } = await tlsServer();
    const reply = await client(url, { trustAnchor: file('ca.pem'), certFile: file('expired-client.pem'), keyFile: file('expired-client.key') }).send(heartbeat, {
      timeoutMs: 3000,
    });
    expect(reply.kind).toBe('transport-error');
    expect(logged).toContain('HTTP_CONNECTION_HANDSHAKE_FAILED');
    expect(await client(url, clientTls()).send(heartbeat, { timeoutMs: 3000 })).toMatchObject({ kind: 'answer', status: 200 });
  });

  it('require-client-certs false: a client without certificate is served', async () => {
    const { url } = await tlsServer({ requireClientCerts: false });
    expect(await client(url, { trustAnchor: file('ca.pem') }).send(heartbeat, { timeoutMs: 3000 })).toMatchObject({ kind: 'answer', status: 200 });
  });

  it('a trust-anchor directory trusts every certificate in it, on both sides', async () => {
    const { url } = await tlsServer({ trustAnchor: file('anchors') });
    expect(await client(url, { ...clientTls(), trustAnchor: file('anchors') }).send(heartbeat, { timeoutMs: 3000 })).toMatchObject({
      kind: 'answer',
      status: 200,
    });
    expect(
      await client(url, { trustAnchor: file('anchors'), certFile: file('stranger.pem'), keyFile: file('stranger.key') }).send(heartbeat, { timeoutMs: 3000 }),
    ).toMatchObject({ kind: 'answer', status: 200 });
  });

  it('a plain-HTTP client gets no answer from a TLS listener', async () => {
    const { url } = await tlsServer();
    const plain = new PeerClient({ url: url.replace('https:', 'http:') });
    clients.push(plain);
    expect((await plain.send(heartbeat, { timeoutMs: 3000 })).kind).toBe('transport-error');
  });

  it('unreadable TLS files are configuration errors naming the file', async () => {
    await expect(tlsServer({ certFile: file('missing.pem') })).rejects.toThrow(`cannot read TLS cert-file '${file('missing.pem')}'`);
    expect(() => new PeerClient({ url: 'https://127.0.0.1:1/', tls: { trustAnchor: file('client.key') } })).toThrow(
      `TLS trust-anchor '${file('client.key')}' holds no PEM certificate`,
    );
  });
});
