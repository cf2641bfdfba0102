import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dhcp4Config, startTandemd, tempDir, writeConfig } from '../harness/daemons.js';
import { freePort } from '../harness/ports.js';
import { runPerfdhcp } from '../harness/perfdhcp.js';
import { startProcess, type Started } from '../harness/processes.js';

const agentMissing = spawnSync('kea-ctrl-agent', ['-v']).error === undefined ? undefined : 'kea-ctrl-agent (Debian package kea-ctrl-agent) is not installed';
if (agentMissing !== undefined) console.warn(`skipping kea-ctrl-agent tests: ${agentMissing}`);

/**
 * Kea's own kea-ctrl-agent in front of tandemd's unix control socket, exactly as it fronts kea-dhcp4: the
 * agent forwards `service: ["dhcp4"]` commands and wraps each answer in a list.
 */
describe.skipIf(agentMissing !== undefined)('tandemd behind kea-ctrl-agent 2.2 (loopback)', () => {
  let dir: string;
  let tandemd: Started | undefined;
  let agent: Started | undefined;
  let agentUrl: string;
  let dhcpPort: number;

  beforeAll(async () => {
    dir = tempDir('ca');
    const controlSocket = join(dir, 'dhcp4.sock');
    dhcpPort = await freePort('udp');
    const config = writeConfig(
      dir,
      'dhcp4.json',
      dhcp4Config({ interfaces: ['lo'], leaseFile: join(dir, 'leases4.csv'), controlSocket, leaseCmds: true, subnet: '127.0.0.0/8', pool: '127.0.100.1 - 127.0.100.250' }),
    );
    tandemd = await startTandemd(undefined, config, join(dir, 'tandemd.log'), ['-p', String(dhcpPort)]);
    const httpPort = await freePort('tcp');
    agentUrl = `http://127.0.0.1:${httpPort}/`;
    const agentConfig = writeConfig(dir, 'ca.json', {
      'Control-agent': {
        'http-host': '127.0.0.1',
        'http-port': httpPort,
        'control-sockets': { dhcp4: { 'socket-type': 'unix', 'socket-name': controlSocket } },
        loggers: [{ name: 'kea-ctrl-agent', severity: 'INFO', output_options: [{ output: 'stdout' }] }],
      },
    });
    agent = startProcess(undefined, 'kea-ctrl-agent', ['-c', agentConfig], join(dir, 'ca.log'), { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir });
    await agent.waitFor(/DCTL_STARTED|CTRL_AGENT_HTTP_SERVICE_STARTED/);
  });

  afterAll(async () => {
    await agent?.stop('SIGTERM');
    await tandemd?.stop('SIGTERM');
  });

  const post = async (body: unknown): Promise<Array<Record<string, unknown>>> => {
    const response = await fetch(agentUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return (await response.json()) as Array<Record<string, unknown>>;
  };
  const dhcp4 = async (command: string, args?: unknown) =>
    (await post({ command, service: ['dhcp4'], ...(args !== undefined ? { arguments: args } : {}) }))[0] as Record<string, unknown>;

  it('list-commands, version-get, status-get and config-get reach tandemd through the agent', async () => {
    const list = await dhcp4('list-commands');
    expect(list.result).toBe(0);
    for (const name of ['config-get', 'config-test', 'status-get', 'version-get', 'shutdown', 'leases-reclaim', 'lease4-get', 'lease4-get-all', 'lease4-get-page', 'lease4-add', 'lease4-update', 'lease4-del']) {
      expect(list.arguments).toContain(name);
    }
    expect(await dhcp4('version-get')).toMatchObject({ result: 0, text: '0.1.0' });
    const status = await dhcp4('status-get');
    expect(status).toMatchObject({ result: 0, arguments: { pid: tandemd!.pid, 'multi-threading-enabled': false, sockets: { status: 'ready' } } });
    const config = await dhcp4('config-get');
    expect((config.arguments as { Dhcp4: { 'valid-lifetime': number } }).Dhcp4['valid-lifetime']).toBe(3600);
    const tested = await dhcp4('config-test', config.arguments);
    expect(tested).toMatchObject({ result: 0 });
    expect(await dhcp4('config-test', { Dhcp4: { 'not-a-kea-key': 1 } })).toMatchObject({ result: 1, text: expect.stringContaining("'not-a-kea-key'") });
  });

  it('lease4-add, -get, -get-all, -get-page, -update, -del behave as Kea lease_cmds behind the agent', async () => {
    const lease = { 'ip-address': '127.0.100.7', 'hw-address': '0a:0b:0c:0d:0e:0f', 'subnet-id': 1, 'valid-lft': 3600, expire: 1_900_000_000 };
    expect(await dhcp4('lease4-add', lease)).toEqual({ result: 0, text: 'Lease for address 127.0.100.7, subnet-id 1 added.' });
    expect(await dhcp4('lease4-get', { 'ip-address': '127.0.100.7' })).toMatchObject({ result: 0, text: 'IPv4 lease found.', arguments: { cltt: 1_900_000_000 - 3600 } });
    expect(await dhcp4('lease4-get-all')).toMatchObject({ result: 0, text: '1 IPv4 lease(s) found.' });
    expect(await dhcp4('lease4-get-page', { from: 'start', limit: 10 })).toMatchObject({ result: 0, arguments: { count: 1 } });
    expect(await dhcp4('lease4-update', { ...lease, hostname: 'renamed' })).toEqual({ result: 0, text: 'IPv4 lease updated.' });
    expect(await dhcp4('lease4-get', { 'ip-address': '127.0.100.7' })).toMatchObject({ arguments: { hostname: 'renamed' } });
    expect(await dhcp4('lease4-del', { 'ip-address': '127.0.100.7' })).toEqual({ result: 0, text: 'IPv4 lease deleted.' });
    expect(await dhcp4('lease4-del', { 'ip-address': '127.0.100.7' })).toEqual({ result: 3, text: 'IPv4 lease not found.' });
    expect(await dhcp4('lease4-get-page', { from: 'start', limit: 10 })).toMatchObject({ result: 3, text: '0 IPv4 lease(s) found.' });
    expect(await dhcp4('leases-reclaim', { remove: true })).toEqual({ result: 0, text: 'Reclamation of expired leases is complete.' });
  });

  it("unknown commands get result 2 \"'<name>' command not supported.\"; malformed ones result 1", async () => {
    expect(await dhcp4('no-such-command')).toEqual({ result: 2, text: "'no-such-command' command not supported." });
    expect(await dhcp4('lease4-get-page', { from: 'nowhere', limit: 1 })).toEqual({
      result: 1,
      text: "'from' parameter value is neither 'start' keyword nor a valid IPv4 address",
    });
    expect(await dhcp4('lease4-add')).toEqual({ result: 1, text: 'no parameters specified for the command' });
  });

  it('kea-shell talks to tandemd through the agent', () => {
    const shell = spawnSync('kea-shell', ['--host', '127.0.0.1', '--port', new URL(agentUrl).port, '--service', 'dhcp4', 'version-get'], { input: '', encoding: 'utf8' });
    expect(shell.stderr).toBe('');
    expect(JSON.parse(shell.stdout)).toMatchObject([{ result: 0, text: '0.1.0' }]);
  });

  it('loopback mode: perfdhcp on 127.0.0.1 drives tandemd on an unprivileged port (relayed answers to its source port)', async () => {
    const report = await runPerfdhcp({ ns: undefined, local: '127.0.0.1', server: '127.0.0.1', remotePort: dhcpPort, localPort: await freePort('udp'), rate: 200, clients: 200, exchanges: 200, periodS: 10 });
    expect(report.exchanges['REQUEST-ACK']).toMatchObject({ sent: 200, received: 200, drops: 0 });
  });

  it('shutdown through the agent answers "Shutting down." and tandemd exits 0', async () => {
    expect(await dhcp4('shutdown')).toEqual({ result: 0, text: 'Shutting down.' });
    expect(await tandemd!.exited).toBe(0);
  });
});
