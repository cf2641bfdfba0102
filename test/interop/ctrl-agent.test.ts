import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keaHaUnavailable } from '../harness/kea-ha.js';
import { netnsUnavailable } from '../harness/netns.js';
import { expectAcksHeld, expectEveryClientServed, expectEveryExchangeAnswered, expectLeaseSetsAgree, loadBalancingOwners, runPatientPerfdhcp, startRelayClients, waitForAcks } from './support/checks.js';
import { MixedPair, bulkLeases } from './support/mixed-pair.js';
import { haPort, peerAddress, type PeerSpec, type RelationshipSpec, type TlsFiles } from './support/pair-config.js';
import { httpsToolsUnavailable, peerCredentials as credentials, probe } from './support/https-probe.js';
import { makeCertificates } from './support/tls-certs.js';

const unavailable = netnsUnavailable() ?? keaHaUnavailable();
if (unavailable !== undefined) console.warn(`skipping the kea-ctrl-agent transport tests: ${unavailable}`);

/**
 * Kea 2.2's default HA transport: HA multi-threading off, so no server listens at its own peer URL;
 * Debian's kea-ctrl-agent does, and forwards every peer command (`service: ["dhcp4"]`) to the
 * server's unix control socket. tandemd reads the relationship's `multi-threading` as Kea does and
 * leaves the URL to the agent; heartbeats, lease updates and the §9 sync all cross two agents.
 */
const PRELOADED = 3000;

/** Which process listens on the peer's HA port inside its namespace (`ss -p` names it). */
const listenerOf = (pair: MixedPair, name: string): string => {
  const server = pair.server(name);
  const ss = spawnSync('ip', ['netns', 'exec', server.host.ns, 'ss', '-Hltnp', `sport = :${haPort(server.spec)}`], { encoding: 'utf8' });
  return ss.stdout;
};

/** Commands kea-ctrl-agent forwarded to the server behind it (CTRL_AGENT_COMMAND_FORWARDED, one per command). */
const forwarded = (output: string, command: string): number =>
  (output.match(new RegExp(`CTRL_AGENT_COMMAND_FORWARDED command ${command} successfully forwarded`, 'g')) ?? []).length;

describe.skipIf(unavailable !== undefined)('load-balancing: two tandemd, each behind kea-ctrl-agent 2.2', () => {
  const peers: readonly [PeerSpec, PeerSpec] = [
    { name: 'server1', role: 'primary', impl: 'tandem', transport: 'ctrl-agent', octet: 11 },
    { name: 'server2', role: 'secondary', impl: 'tandem', transport: 'ctrl-agent', octet: 12 },
  ];
  const spec: RelationshipSpec = { mode: 'load-balancing', peers, syncPageLimit: 1000 };
  let pair: MixedPair | undefined;

  beforeAll(() => {
    pair = MixedPair.create('cagt', spec);
  });
  afterAll(async () => {
    await pair?.destroy();
  });

  it('a concurrent start with leases on the secondary reaches load-balancing; the agents, not tandemd, listen at the peer URLs; the sync crossed them', async () => {
    pair!.preloadLeases('server2', bulkLeases('198.18.64.0', PRELOADED, '0a:05:00'));
    await pair!.start();
    await pair!.waitForStates({ server1: 'load-balancing', server2: 'load-balancing' }, 60_000);
    for (const name of ['server1', 'server2']) {
      expect(listenerOf(pair!, name)).toContain('kea-ctrl-agent');
      expect(listenerOf(pair!, name)).not.toContain('node');
      expect(pair!.output(name)).toContain('kea-ctrl-agent expected at');
      // Heartbeats and the sync's paging reached tandemd through its agent.
      expect(forwarded(pair!.output(name), 'ha-heartbeat')).toBeGreaterThan(0);
      expect(forwarded(pair!.output(name), 'lease4-get-page')).toBeGreaterThan(0);
    }
    const sets = await expectLeaseSetsAgree(pair!, 'server1', 'server2');
    expect(sets.server1!.size).toBe(PRELOADED);
  });

  it('each answers its own scope; every lease update crosses the partner\'s agent and lease sets agree', async () => {
    const client = pair!.client;
    const updatesBefore = forwarded(pair!.output('server1'), 'lease4-update') + forwarded(pair!.output('server2'), 'lease4-update');
    const report = await runPatientPerfdhcp({ ns: client.ns, local: client.iface, server: 'all', rate: 100, clients: 300, exchanges: 300, periodS: 30, macBase: '00:5a:00:00:00:00' }, join(pair!.dir, 'perfdhcp.log'));
    expectEveryExchangeAnswered(report, 300);
    const sets = await expectLeaseSetsAgree(pair!, 'server1', 'server2');
    const granted = [...sets.server1!.values()].filter((lease) => (lease['hw-address'] as string).startsWith('00:5a:'));
    expect(granted).toHaveLength(300);
    const owners = loadBalancingOwners(granted);
    expect(owners.misplaced).toEqual([]);
    expect(Math.min(owners.server1.length, owners.server2.length)).toBeGreaterThan(80);
    const updates = forwarded(pair!.output('server1'), 'lease4-update') + forwarded(pair!.output('server2'), 'lease4-update') - updatesBefore;
    expect(updates).toBeGreaterThanOrEqual(300);
  });

  it('the primary (tandemd and its agent) killed under load: the secondary goes partner-down; restarted, the primary syncs through the agent and both return to load-balancing with no acknowledged lease lost', async () => {
    const relay = startRelayClients(pair!, { clients: 300, macBase: '02:5b:00', concurrency: 8, timeoutMs: 500, retries: 20 });
    await waitForAcks(relay, 80);
    await pair!.stop('server1', 'SIGKILL');
    await pair!.waitForStates({ server2: 'partner-down' }, 20_000);
    const events = await relay.finished(120_000);
    expectEveryClientServed(events, 300);
    const acks = events.filter((e) => e.event === 'ack');
    await expectAcksHeld(pair!, acks, ['server2']);

    const pagesBefore = forwarded(pair!.output('server2'), 'lease4-get-page');
    await pair!.start(['server1']);
    await pair!.waitForStates({ server1: 'load-balancing', server2: 'load-balancing' }, 60_000);
    expect(forwarded(pair!.output('server2'), 'lease4-get-page')).toBeGreaterThan(pagesBefore);
    await expectAcksHeld(pair!, acks);
    await expectLeaseSetsAgree(pair!, 'server1', 'server2', { killed: ['server1'], acks });
  });
});

describe.skipIf(unavailable !== undefined)('hot-standby: Kea 2.2 primary and Tandem standby, both behind kea-ctrl-agent 2.2', () => {
  const peers: readonly [PeerSpec, PeerSpec] = [
    { name: 'server1', role: 'primary', impl: 'kea', transport: 'ctrl-agent', octet: 11 },
    { name: 'server2', role: 'standby', impl: 'tandem', transport: 'ctrl-agent', octet: 12 },
  ];
  const spec: RelationshipSpec = { mode: 'hot-standby', peers };
  let pair: MixedPair | undefined;

  beforeAll(() => {
    pair = MixedPair.create('cahs', spec);
  });
  afterAll(async () => {
    await pair?.destroy();
  });

  it('reach hot-standby from a concurrent start; every lease Kea hands out reaches tandemd through its agent', async () => {
    await pair!.start();
    await pair!.waitForStates({ server1: 'hot-standby', server2: 'hot-standby' }, 30_000);
    expect(listenerOf(pair!, 'server2')).toContain('kea-ctrl-agent');
    const client = pair!.client;
    const report = await runPatientPerfdhcp({ ns: client.ns, local: client.iface, server: 'all', rate: 100, clients: 200, exchanges: 200, periodS: 30, macBase: '00:5c:00:00:00:00' }, join(pair!.dir, 'perfdhcp.log'));
    expectEveryExchangeAnswered(report, 200);
    const sets = await expectLeaseSetsAgree(pair!, 'server1', 'server2');
    expect(sets.server2!.size).toBe(200);
    expect(forwarded(pair!.output('server2'), 'lease4-update')).toBeGreaterThanOrEqual(200);
  });
});

const tlsUnavailable = unavailable ?? httpsToolsUnavailable();
if (tlsUnavailable !== undefined && unavailable === undefined) console.warn(`skipping the HTTPS kea-ctrl-agent test: ${tlsUnavailable}`);

describe.skipIf(tlsUnavailable !== undefined)('hot-standby over HTTPS with Basic auth: Kea 2.2 primary and Tandem standby, each behind a kea-ctrl-agent that checks both', () => {
  const peers: readonly [PeerSpec, PeerSpec] = [
    { name: 'server1', role: 'primary', impl: 'kea', transport: 'ctrl-agent', octet: 11 },
    { name: 'server2', role: 'standby', impl: 'tandem', transport: 'ctrl-agent', octet: 12 },
  ];
  let pair: MixedPair | undefined;
  let pki: string;
  let files: Record<string, TlsFiles>;

  beforeAll(() => {
    pki = mkdtempSync(join(tmpdir(), 'tandem-interop-catls-'));
    files = makeCertificates(pki, peers.map((p) => ({ name: p.name, address: peerAddress(p) })));
    const spec: RelationshipSpec = { mode: 'hot-standby', peers, tls: files, requireClientCerts: true, basicAuth: (_self, peer) => credentials(peer) };
    pair = MixedPair.create('catl', spec);
  });
  afterAll(async () => {
    await pair?.destroy();
    rmSync(pki, { recursive: true, force: true });
  });

  it('§5.1 §5.2 both reach hot-standby through agents that require client certificates and Basic auth — so Kea\'s and Tandem\'s HA clients each presented both; leases reach the standby', async () => {
    await pair!.start();
    expect(pair!.server('server2').url).toBe('https://198.18.0.12:8000/');
    await pair!.waitForStates({ server1: 'hot-standby', server2: 'hot-standby' }, 30_000);
    const relay = startRelayClients(pair!, { clients: 30, macBase: '02:5d:00', retries: 4 });
    const events = await relay.finished(30_000);
    expectEveryClientServed(events, 30, 0);
    await expectAcksHeld(pair!, events.filter((e) => e.event === 'ack'));
    const sets = await expectLeaseSetsAgree(pair!, 'server1', 'server2');
    expect(sets.server2!.size).toBe(30);
    expect(forwarded(pair!.output('server2'), 'lease4-update')).toBeGreaterThanOrEqual(30);
  });

  it('each agent refuses a client without the right credentials (401) and answers one with them', () => {
    const client = files.server1!;
    for (const peer of peers) {
      const { user, password } = credentials(peer);
      expect({ peer: peer.name, status: probe(pair!, peer, { ca: client.trustAnchor, client }).status }).toEqual({ peer: peer.name, status: 401 });
      expect({ peer: peer.name, status: probe(pair!, peer, { ca: client.trustAnchor, client, auth: `${user}:wrong` }).status }).toEqual({ peer: peer.name, status: 401 });
      expect({ peer: peer.name, status: probe(pair!, peer, { ca: client.trustAnchor, client, auth: `${user}:${password}` }).status }).toEqual({ peer: peer.name, status: 200 });
    }
  });
});
