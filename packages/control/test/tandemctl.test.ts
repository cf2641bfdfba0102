import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlRequest, answer } from '@tandem/core';
import { type ControlServer, ExitCode, HELP_TEXT, buildArguments, exitCodeForAnswer, parseTandemctlArgs, startControlServer } from '../src/index.js';
import { unusedPort } from './support.js';

/**
 * End to end: the CLI is built with tsup exactly as the package's bin is (ESM bundle with the
 * workspace packages inlined and a node shebang), into a private directory so that a concurrent
 * `npm run build` elsewhere is not disturbed, then run as a child process against a real listener.
 */
let outDir: string;
let bin: string;
let server: ControlServer;
let authServer: ControlServer;
const received: ControlRequest[] = [];

const RESULTS: Readonly<Record<string, ReturnType<typeof answer>>> = {
  'status-get': answer(0, '', { pid: 42, uptime: 7 }),
  'lease4-get-page': answer(3, '0 IPv4 lease(s) found.', { count: 0, leases: [] }),
  'ha-maintenance-notify': answer(1001, 'Unable to transition the server from the terminated to in-maintenance state.'),
  'dhcp-disable': answer(0, 'DHCPv4 service disabled for 60 seconds'),
  'ha-scopes': answer(0, 'New HA scopes configured.'),
  'ha-sync': answer(0, 'Lease database synchronization complete.'),
  'lease4-del': answer(1, "missing parameter 'ip-address' (<wire>:0:0)"),
};

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'tandemctl-'));
  await build({
    config: false,
    entry: { tandemctl: fileURLToPath(new URL('../src/tandemctl.ts', import.meta.url)) },
    outDir,
    format: ['esm'],
    target: 'node20',
    noExternal: [/^@tandem\//],
    banner: { js: '#!/usr/bin/env node' },
    silent: true,
  });
  bin = join(outDir, 'tandemctl.js');
  const dispatch = async (request: ControlRequest) => {
    received.push(request);
    return RESULTS[request.command] ?? answer(2, `'${request.command}' command not supported.`);
  };
  server = await startControlServer({ host: '127.0.0.1', port: 0, dispatch });
  authServer = await startControlServer({ host: '127.0.0.1', port: 0, dispatch, basicAuth: [{ user: 'admin', password: 's3cret' }] });
});

afterAll(async () => {
  await Promise.all([server?.close(), authServer?.close()]);
  if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true });
});

function run(args: readonly string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const url = () => `http://127.0.0.1:${server.address.port}/`;
const last = (): ControlRequest => received[received.length - 1]!;

describe('tandemctl end to end', () => {
  it('the built file starts with the node shebang', async () => {
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('--help lists every option and the exit statuses', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const option of ['--url', '--service', '--auth-user', '--auth-password', '--ca', '--cert', '--key', '--timeout', '--args', '--from', '--limit',
      '--server-name', '--max-period', '--scopes', '--cancel', '--origin']) {
      expect(stdout).toContain(option);
    }
    expect(stdout).toContain('Exit status:');
  });

  it('status-get: pretty-prints the answer list and exits 0', async () => {
    const { code, stdout } = await run(['--url', url(), 'status-get']);
    expect(code).toBe(ExitCode.SUCCESS);
    expect(stdout).toBe(`${JSON.stringify([{ arguments: { pid: 42, uptime: 7 }, result: 0 }], null, 2)}\n`);
    expect(last()).toEqual({ command: 'status-get', service: ['dhcp4'] });
  });

  it('lease4-get-page --from start --limit 100: sends the page arguments; result 3 (empty) exits 3', async () => {
    const { code, stdout } = await run(['--url', url(), 'lease4-get-page', '--from', 'start', '--limit', '100']);
    expect(code).toBe(ExitCode.EMPTY);
    expect(JSON.parse(stdout)).toEqual([{ arguments: { count: 0, leases: [] }, result: 3, text: '0 IPv4 lease(s) found.' }]);
    expect(last()).toEqual({ command: 'lease4-get-page', service: ['dhcp4'], arguments: { from: 'start', limit: 100 } });
  });

  it('ha-sync --server-name --max-period', async () => {
    expect((await run(['--url', url(), 'ha-sync', '--server-name', 'server2', '--max-period', '30'])).code).toBe(0);
    expect(last().arguments).toEqual({ 'server-name': 'server2', 'max-period': 30 });
  });

  it('ha-scopes --scopes a,b, and --scopes "" for none', async () => {
    expect((await run(['--url', url(), 'ha-scopes', '--scopes', 'server1,server2'])).code).toBe(0);
    expect(last().arguments).toEqual({ scopes: ['server1', 'server2'] });
    expect((await run(['--url', url(), 'ha-scopes', '--scopes', ''])).code).toBe(0);
    expect(last().arguments).toEqual({ scopes: [] });
  });

  it('ha-maintenance-notify --cancel: result 1001 exits 5', async () => {
    const { code, stdout } = await run(['--url', url(), 'ha-maintenance-notify', '--cancel']);
    expect(code).toBe(ExitCode.OTHER_RESULT);
    expect(JSON.parse(stdout)[0].result).toBe(1001);
    expect(last().arguments).toEqual({ cancel: true });
  });

  it('dhcp-disable --max-period 60 --origin ha-partner', async () => {
    expect((await run(['--url', url(), 'dhcp-disable', '--max-period', '60', '--origin', 'ha-partner'])).code).toBe(0);
    expect(last()).toEqual({ command: 'dhcp-disable', service: ['dhcp4'], arguments: { 'max-period': 60, origin: 'ha-partner' } });
  });

  it('--args JSON, with a flag overriding the same key; --service picks the service list', async () => {
    await run(['--url', url(), '--service', 'dhcp4,dhcp6', 'dhcp-disable', '--args', '{"max-period": 10, "origin": "user"}', '--max-period', '20']);
    expect(last()).toEqual({ command: 'dhcp-disable', service: ['dhcp4', 'dhcp6'], arguments: { 'max-period': 20, origin: 'user' } });
    await run(['--url', url(), '--service', '', 'status-get']);
    expect(last()).toEqual({ command: 'status-get' });
  });

  it('arguments as JSON on stdin', async () => {
    const { code } = await run(['--url', url(), 'dhcp-disable'], '{ "max-period": 60 }\n');
    expect(code).toBe(0);
    expect(last().arguments).toEqual({ 'max-period': 60 });
  });

  it('result 1 exits 1, result 2 (unsupported) exits 2', async () => {
    const failed = await run(['--url', url(), 'lease4-del']);
    expect(failed.code).toBe(ExitCode.ERROR);
    expect(JSON.parse(failed.stdout)[0].result).toBe(1);
    const unsupported = await run(['--url', url(), 'no-such-command']);
    expect(unsupported.code).toBe(ExitCode.UNSUPPORTED);
    expect(JSON.parse(unsupported.stdout)).toEqual([{ result: 2, text: "'no-such-command' command not supported." }]);
  });

  it('Basic auth: right credentials are served, wrong ones print the 401 map and exit 5', async () => {
    const authUrl = `http://127.0.0.1:${authServer.address.port}/`;
    expect((await run(['--url', authUrl, '--auth-user', 'admin', '--auth-password', 's3cret', 'status-get'])).code).toBe(0);
    const refused = await run(['--url', authUrl, '--auth-user', 'admin', '--auth-password', 'nope', 'status-get']);
    expect(refused.code).toBe(ExitCode.OTHER_RESULT);
    expect(JSON.parse(refused.stdout)).toEqual({ result: 401, text: 'Unauthorized' });
  });

  it('connection refused: exit 4 with a clear message', async () => {
    const port = await unusedPort();
    const { code, stderr, stdout } = await run(['--url', `http://127.0.0.1:${port}/`, 'status-get']);
    expect(code).toBe(ExitCode.NO_ANSWER);
    expect(stdout).toBe('');
    expect(stderr).toBe(`tandemctl: no answer from http://127.0.0.1:${port}/: Connection refused\n`);
  });

  it('usage errors exit 64 and say what is wrong', async () => {
    const misplaced = await run(['--url', url(), 'status-get', '--from', 'start']);
    expect(misplaced.code).toBe(ExitCode.USAGE);
    expect(misplaced.stderr).toContain("--from is not an argument of 'status-get' (it applies to lease4-get-page, lease6-get-page)");
    const none = await run(['--url', url()]);
    expect(none.code).toBe(ExitCode.USAGE);
    expect(none.stderr).toContain('no command given');
    const badJson = await run(['--url', url(), 'dhcp-disable', '--args', '{"max-period":']);
    expect(badJson.code).toBe(ExitCode.USAGE);
    expect(badJson.stderr).toContain('the command arguments are not valid JSON');
  });
});

describe('tandemctl argument rules', () => {
  it('defaults: kea-shell\'s URL, service dhcp4, 10 s timeout, no arguments from a terminal', () => {
    expect(parseTandemctlArgs(['status-get'], true)).toEqual({
      kind: 'run',
      url: 'http://127.0.0.1:8000/',
      command: 'status-get',
      service: ['dhcp4'],
      timeoutMs: 10_000,
      argumentsSource: { kind: 'none' },
      flagArguments: {},
    });
  });

  it('stdin is read when it is not a terminal and no argument option is given; --args - forces it', () => {
    expect(parseTandemctlArgs(['status-get'], false)).toMatchObject({ argumentsSource: { kind: 'stdin', explicit: false } });
    expect(parseTandemctlArgs(['ha-scopes', '--scopes', 'a'], false)).toMatchObject({ argumentsSource: { kind: 'none' } });
    expect(parseTandemctlArgs(['ha-scopes', '--args', '-'], true)).toMatchObject({ argumentsSource: { kind: 'stdin', explicit: true } });
  });

  it('TLS and auth options go in pairs', () => {
    expect(parseTandemctlArgs(['--cert', 'c.pem', 'status-get'], true)).toEqual({ kind: 'usage-error', message: '--cert and --key go together' });
    expect(parseTandemctlArgs(['--auth-user', 'u', 'status-get'], true)).toEqual({ kind: 'usage-error', message: '--auth-user and --auth-password go together' });
    expect(parseTandemctlArgs(['--ca', 'ca.pem', '--cert', 'c.pem', '--key', 'k.pem', 'status-get'], true)).toMatchObject({
      tls: { trustAnchor: 'ca.pem', certFile: 'c.pem', keyFile: 'k.pem' },
    });
  });

  it('numbers must be numbers', () => {
    expect(parseTandemctlArgs(['lease4-get-page', '--limit', 'ten'], true)).toEqual({ kind: 'usage-error', message: "--limit 'ten' must be a non-negative integer" });
    expect(parseTandemctlArgs(['--timeout', '0', 'status-get'], true)).toMatchObject({ kind: 'usage-error' });
    expect(parseTandemctlArgs(['--timeout', '2.5', 'status-get'], true)).toMatchObject({ timeoutMs: 2500 });
  });

  it('--server-name applies to every ha-* command', () => {
    expect(parseTandemctlArgs(['ha-continue', '--server-name', 'server1'], true)).toMatchObject({ flagArguments: { 'server-name': 'server1' } });
    expect(parseTandemctlArgs(['status-get', '--server-name', 'server1'], true)).toMatchObject({ kind: 'usage-error' });
  });

  it('arguments: none at all means no "arguments" key; JSON must be a map', () => {
    expect(buildArguments(undefined, {})).toEqual({ ok: true, value: undefined });
    expect(buildArguments('  \n', {})).toEqual({ ok: true, value: undefined });
    expect(buildArguments('{"a": 1}', { b: 2 })).toEqual({ ok: true, value: { a: 1, b: 2 } });
    expect(buildArguments('[1]', {})).toEqual({ ok: false, problem: 'the command arguments must be a JSON map ({...})' });
  });

  it('exit statuses follow the first answer\'s result; a map body is an HTTP refusal', () => {
    expect([0, 1, 2, 3, 4, 1001].map((result) => exitCodeForAnswer([{ result }]))).toEqual([0, 1, 2, 3, 5, 5]);
    expect(exitCodeForAnswer({ result: 0, text: 'odd' })).toBe(5);
    expect(exitCodeForAnswer([])).toBe(5);
    expect(HELP_TEXT).toContain('64  usage error');
  });
});
