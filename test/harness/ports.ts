import dgram from 'node:dgram';
import net from 'node:net';

/** A port the kernel just handed out on 127.0.0.1 (and released), for daemons started by a test. */
export const freePort = (kind: 'tcp' | 'udp'): Promise<number> =>
  new Promise((resolve, reject) => {
    if (kind === 'tcp') {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
      return;
    }
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
