import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../harness/daemons.js';
import { netnsUnavailable } from '../harness/netns.js';
import { HaCluster } from './support/ha-cluster.js';
import { startRelayClients } from './support/relay-clients.js';

const noNetns = netnsUnavailable();
const noOpenssl = spawnSync('openssl', ['version']).error === undefined ? undefined : 'openssl is not installed';
const skip = noNetns ?? noOpenssl;
if (skip !== undefined) console.warn(`skipping HA TLS tests: ${skip}`);

/**
 * A throw-away PKI: one CA, a certificate per name (with its IP address as subjectAltName where
 * given, for curl: Kea and Tandem peers verify the chain only), and one from a CA nobody trusts.
 */
const makePki = (names: Readonly<Record<string, string | undefined>>): string => {
  const dir = tempDir('ha-pki');
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'rogue-ca']) openssl('req', '-x509', ...ec, '-days', '2', '-subj', `/CN=Tandem HA test ${ca}`, '-keyout', `${ca}.key`, '-out', `${ca}.pem`);
  const sign = (name: string, ca: string, ip?: string) => {
    openssl('req', '-new', ...ec, '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    if (ip !== undefined) writeFileSync(join(dir, `${name}.ext`), `subjectAltName=IP:${ip}\n`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-out', `${name}.pem`, ...(ip !== undefined ? ['-extfile', `${name}.ext`] : []));
  };
  for (const [name, ip] of Object.entries(names)) sign(name, 'ca', ip);
  sign('rogue', 'rogue-ca');
  return dir;
};

describe.skipIf(skip !== undefined)('HA over HTTPS with client certificates (real tandemd processes)', () => {
  let cluster: HaCluster | undefined;
  let pki: string;

  beforeAll(async () => {
    pki = makePki({ server1: '198.18.0.11', server2: '198.18.0.12', admin: undefined });
    cluster = HaCluster.create({
      tag: 'tls',
      mode: 'hot-standby',
      servers: [
        { name: 'server1', role: 'primary', octet: 11 },
        { name: 'server2', role: 'standby', octet: 12 },
      ],
      tlsDir: pki,
    });
    await cluster.start();
  });
  afterAll(async () => {
    await cluster?.destroy();
  });

  const curl = (cert: string | undefined) =>
    spawnSync(
      'ip',
      [
        'netns', 'exec', cluster!.client.ns, 'curl', '-s', '-m', '5', '--cacert', join(pki, 'ca.pem'),
        ...(cert !== undefined ? ['--cert', join(pki, `${cert}.pem`), '--key', join(pki, `${cert}.key`)] : []),
        '-H', 'Content-Type: application/json', '--data-binary', '{"command":"ha-heartbeat","service":["dhcp4"]}',
        cluster!.server('server1').url,
      ],
      { encoding: 'utf8' },
    );

  it('MT-02 the pair reaches hot-standby over TLS and every lease update crosses it', async () => {
    await cluster!.waitForStates({ server1: 'hot-standby', server2: 'hot-standby' });
    const relay = startRelayClients(cluster!, { clients: 20, macBase: '02:b0:00', concurrency: 4 });
    const acks = (await relay.finished(60_000)).filter((e) => e.event === 'ack');
    expect(acks).toHaveLength(20);
    const standby = await cluster!.leases('server2');
    expect(acks.every((ack) => standby.get(ack.address as string)?.['hw-address'] === ack.mac)).toBe(true);
  });

  it('MT-02 require-client-certs: a client without a certificate, or with one from another CA, gets no answer; a trusted one does', () => {
    expect(curl(undefined).status).not.toBe(0);
    expect(curl('rogue').status).not.toBe(0);
    const trusted = curl('admin');
    expect(trusted.status).toBe(0);
    expect(JSON.parse(trusted.stdout)).toMatchObject([{ result: 0, arguments: { state: 'hot-standby' } }]);
  });
});
