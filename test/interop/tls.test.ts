import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keaHaUnavailable } from '../harness/kea-ha.js';
import { netnsUnavailable } from '../harness/netns.js';
import { expectAcksHeld, expectEveryClientServed, expectLeaseSetsAgree, startRelayClients } from './support/checks.js';
import { MixedPair } from './support/mixed-pair.js';
import { peerAddress, type PeerSpec, type RelationshipSpec, type TlsFiles } from './support/pair-config.js';
import { httpsToolsUnavailable, peerCredentials as credentials, probe } from './support/https-probe.js';
import { makeCertificates } from './support/tls-certs.js';

const unavailable = netnsUnavailable() ?? keaHaUnavailable() ?? httpsToolsUnavailable();
if (unavailable !== undefined) console.warn(`skipping Tandem/Kea 2.2 TLS interop tests: ${unavailable}`);

const peers: readonly [PeerSpec, PeerSpec] = [
  { name: 'server1', role: 'primary', impl: 'tandem', octet: 11 },
  { name: 'server2', role: 'standby', impl: 'kea', transport: 'dedicated', octet: 12 },
];

const RESUME_PROBE = fileURLToPath(new URL('./support/tls-resume-probe.mjs', import.meta.url));

interface ResumeOutcome {
  readonly ok: boolean;
  readonly resumed?: boolean;
  readonly status?: number;
  readonly error?: string;
}

/** Two TLS connections from the clients' namespace to a server's HA URL, the second resuming the first's session. */
const resumeProbe = (pair: MixedPair, peer: PeerSpec, client: TlsFiles): { readonly first: ResumeOutcome; readonly second: ResumeOutcome } => {
  const url = new URL(pair.server(peer.name).url);
  const run = spawnSync('ip', ['netns', 'exec', pair.client.ns, process.execPath, RESUME_PROBE, url.hostname, url.port, client.trustAnchor, client.certFile, client.keyFile, `${credentials(peer).user}:${credentials(peer).password}`], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  return JSON.parse(run.stdout) as { first: ResumeOutcome; second: ResumeOutcome };
};

describe.skipIf(unavailable !== undefined)('TLS between Tandem primary and Kea 2.2 standby (dedicated HA+MT listener over HTTPS), Basic auth in the peer entries', () => {
  let pki: string;
  let files: Record<string, TlsFiles>;
  let pair: MixedPair | undefined;

  beforeAll(() => {
    pki = mkdtempSync(join(tmpdir(), 'tandem-interop-tls-'));
    files = makeCertificates(pki, peers.map((p) => ({ name: p.name, address: peerAddress(p) })));
    const spec: RelationshipSpec = { mode: 'hot-standby', peers, tls: files, requireClientCerts: true, basicAuth: (_self, peer) => credentials(peer) };
    pair = MixedPair.create('tls', spec);
  });
  afterAll(async () => {
    await pair?.destroy();
    rmSync(pki, { recursive: true, force: true });
  });

  it('§5.1 §8.1 both listen on https:// URLs with require-client-certs: both reach hot-standby over TLS; 30 clients are served and their leases reach the Kea standby (some only on a client\'s retry: the resumption problem below)', async () => {
    await pair!.start();
    expect(pair!.server('server2').url).toBe('https://198.18.0.12:8001/');
    await pair!.waitForStates({ server1: 'hot-standby', server2: 'hot-standby' }, 30_000);
    const relay = startRelayClients(pair!, { clients: 30, macBase: '02:4a:00', retries: 4 });
    const events = await relay.finished(30_000);
    expectEveryClientServed(events, 30, 0);
    await expectAcksHeld(pair!, events.filter((e) => e.event === 'ack'));
    const sets = await expectLeaseSetsAgree(pair!, 'server1', 'server2');
    expect(sets.server2!.size).toBe(30);
    expect((pair!.output('server2').match(/Received command 'lease4-update'/g) ?? []).length).toBeGreaterThanOrEqual(30);
  });

  it('require-client-certs: each listener refuses a TLS client without a certificate and answers one with a certificate of the CA', () => {
    const third = files.server1!;
    for (const peer of peers) {
      const without = probe(pair!, peer, { ca: third.trustAnchor, auth: `${credentials(peer).user}:${credentials(peer).password}` });
      expect({ server: peer.name, status: without.status }).toEqual({ server: peer.name, status: 0 });
      const withCert = probe(pair!, peer, { ca: third.trustAnchor, client: third, auth: `${credentials(peer).user}:${credentials(peer).password}` });
      expect({ server: peer.name, status: withCert.status, body: JSON.parse(withCert.body) as unknown }).toMatchObject({
        server: peer.name,
        status: 200,
        body: [{ result: 0, arguments: { state: 'hot-standby' } }],
      });
    }
  });

  it('§5.2 Basic auth: Tandem\'s listener checks the credentials of its own peer entry (which Kea sent, or hot-standby was never reached); Kea 2.2\'s dedicated listener does not check them', () => {
    const client = files.server2!;
    const [tandem, kea] = peers;
    expect(probe(pair!, tandem, { ca: client.trustAnchor, client }).status).toBe(401);
    expect(probe(pair!, tandem, { ca: client.trustAnchor, client, auth: `${credentials(tandem).user}:wrong` }).status).toBe(401);
    expect(probe(pair!, tandem, { ca: client.trustAnchor, client, auth: `${credentials(tandem).user}:${credentials(tandem).password}` }).status).toBe(200);
    // Kea 2.2 (dedicated listener): anything goes, credentials or not.
    expect(probe(pair!, kea, { ca: client.trustAnchor, client }).status).toBe(200);
    expect(probe(pair!, kea, { ca: client.trustAnchor, client, auth: 'nobody:wrong' }).status).toBe(200);
  });

  it('§8.1 TLS session resumption with require-client-certs: Tandem\'s listener resumes a session; Kea 2.2\'s dedicated listener fails the handshake ("session id context uninitialized")', async () => {
    const client = files.server1!;
    const [tandem, kea] = peers;
    expect(resumeProbe(pair!, tandem, client)).toEqual({ first: { ok: true, resumed: false, status: 200 }, second: { ok: true, resumed: true, status: 200 } });
    const atKea = resumeProbe(pair!, kea, client);
    expect(atKea.first).toEqual({ ok: true, resumed: false, status: 200 });
    expect(atKea.second).toMatchObject({ ok: false });
    await pair!.kea(kea.name).dhcp4.waitFor(/HTTP_CONNECTION_HANDSHAKE_FAILED TLS handshake with 198\.18\.0\.2 failed with session id context uninitialized/, 5_000);
  });

  // Kea 2.2 refuses resumed TLS sessions (above), so tandemd's peer client never offers one
  // (packages/control/src/client.ts): no lease update may fail, not even in the first burst.
  it('§8.1 no lease update Tandem sent to Kea 2.2 over TLS in this run failed (including the first burst)', async () => {
    const relay = startRelayClients(pair!, { clients: 30, macBase: '02:4b:00', retries: 4 });
    expectEveryClientServed(await relay.finished(30_000), 30, 0);
    expect(pair!.output('server1')).not.toMatch(/HA_LEASE_UPDATE_FAILED/);
  });
});
