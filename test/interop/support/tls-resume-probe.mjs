// Run inside a namespace: two TLS connections with a client certificate to https://<host>:<port>/,
// the second offering the session the first one got (resumption, as Node's https.Agent does for every
// new connection to a host it has talked to). Each POSTs an ha-heartbeat; one JSON line tells what
// happened to each connection. An optional sixth argument `user:password` adds Basic auth.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

const [host, port, ca, cert, key, basicAuth] = process.argv.slice(2);
const authorization = basicAuth === undefined ? '' : `Authorization: Basic ${Buffer.from(basicAuth).toString('base64')}\r\n`;
const body = JSON.stringify({ command: 'ha-heartbeat', service: ['dhcp4'] });

const connect = (session) =>
  new Promise((resolve) => {
    let offered;
    const socket = tls.connect({ host, port: Number(port), ca: readFileSync(ca), cert: readFileSync(cert), key: readFileSync(key), session });
    socket.on('session', (s) => (offered = s));
    socket.on('secureConnect', () =>
      socket.write(`POST / HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n${authorization}Connection: close\r\n\r\n${body}`),
    );
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('end', () => resolve({ outcome: { ok: true, resumed: socket.isSessionReused(), status: Number(answer.split(' ')[1]) }, session: offered }));
    socket.on('error', (error) => resolve({ outcome: { ok: false, error: error.message }, session: offered }));
  });

const first = await connect(undefined);
const second = first.session === undefined ? { outcome: { ok: false, error: 'the first connection got no session to resume' } } : await connect(first.session);
console.log(JSON.stringify({ first: first.outcome, second: second.outcome }));
