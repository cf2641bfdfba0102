import net from 'node:net';

/** Sends one command over a Kea unix control socket and returns the answer object. */
export const controlCommand = (socketPath: string, command: object): Promise<Record<string, unknown>> =>
  new Promise((resolve, reject) => {
    const client = net.connect(socketPath);
    let text = '';
    client.setEncoding('utf8');
    client.on('data', (d: string) => (text += d));
    client.on('end', () => {
      try {
        resolve(JSON.parse(text) as Record<string, unknown>);
      } catch (error) {
        reject(new Error(`control socket answered non-JSON: ${text}`, { cause: error }));
      }
    });
    client.on('error', reject);
    client.on('connect', () => client.write(JSON.stringify(command)));
  });

/** Every lease the daemon holds, paged with lease4-get-page as an HA peer would. */
export const allLeasesOverControl = async (socketPath: string): Promise<Array<Record<string, unknown>>> => {
  const out: Array<Record<string, unknown>> = [];
  let from = 'start';
  for (;;) {
    const answer = await controlCommand(socketPath, { command: 'lease4-get-page', arguments: { from, limit: 1000 } });
    const leases = ((answer.arguments as { leases?: Array<Record<string, unknown>> } | undefined)?.leases ?? []);
    out.push(...leases);
    if (leases.length < 1000) return out;
    from = leases[leases.length - 1]?.['ip-address'] as string;
  }
};
