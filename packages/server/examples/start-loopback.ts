import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Starts tandemd on 127.0.0.1 with examples/loopback.json on an unprivileged port and prints a perfdhcp
 * command that drives it. Built to dist/examples/start-loopback.js (`npm start` at the root).
 */
const DHCP_PORT = Number(process.env.TANDEM_DHCP_PORT ?? 10067);
const RELAY_PORT = DHCP_PORT + 1;
const daemon = fileURLToPath(new URL('../tandemd.js', import.meta.url));
const config = fileURLToPath(new URL('../../examples/loopback.json', import.meta.url));

mkdirSync('/tmp/tandem-loopback', { recursive: true });
process.stderr.write(
  [
    `tandemd: ${config} on 127.0.0.1:${DHCP_PORT} (leases in /tmp/tandem-loopback/leases4.csv, control socket /tmp/tandem-loopback/dhcp4.sock)`,
    'Drive it with perfdhcp (package kea-admin) acting as a relay on loopback, e.g. 1000 clients, DORA, renew and release:',
    `  perfdhcp -4 -l 127.0.0.1 -L ${RELAY_PORT} -N ${DHCP_PORT} -r 100 -f 10 -F 10 -R 1000 -n 1000 -W 1000000 127.0.0.1`,
    'Ask it what it holds (unix control socket, Kea command format):',
    `  echo '{"command": "lease4-get-page", "arguments": {"from": "start", "limit": 5}}' | socat - UNIX-CONNECT:/tmp/tandem-loopback/dhcp4.sock`,
    'Stop with Ctrl-C.',
    '',
  ].join('\n'),
);

const child = spawn(process.execPath, [daemon, '-c', config, '-p', String(DHCP_PORT)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
