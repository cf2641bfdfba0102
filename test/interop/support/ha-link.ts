import { spawnSync } from 'node:child_process';
import type { MixedPair } from './mixed-pair.js';
import { haPort, peerAddress } from './pair-config.js';

/**
 * Cutting only the HA link of a mixed pair: an nftables table in each server's namespace rejects (TCP
 * reset) every segment it sends to a partner's HA port. DHCP (UDP 67/68) is left alone, so clients keep
 * reaching both servers, and the pair sees exactly what a lost link between the two servers' HA
 * listeners looks like — refused connections, not a dead partner.
 */
const TABLE = 'tandem_ha_cut';

/** Why the HA link cannot be cut here, or undefined when it can (Debian package `nftables`). */
export const nftUnavailable = (): string | undefined =>
  spawnSync('nft', ['--version']).error !== undefined ? "'nft' is not installed (Debian package nftables)" : undefined;

const nft = (ns: string, script: string): void => {
  const run = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: script, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`nft in namespace ${ns} failed (${run.status}): ${run.stderr.trim()}\nscript:\n${script}`);
};

/** Rejects, in every server's namespace, TCP to each partner's HA port. */
export const cutHaLink = (pair: MixedPair): void => {
  for (const server of pair.servers.values()) {
    const rules = [...pair.servers.values()]
      .filter((other) => other !== server)
      .map((other) => `    ip daddr ${peerAddress(other.spec)} tcp dport ${haPort(other.spec)} reject with tcp reset`);
    nft(server.host.ns, [`table inet ${TABLE} {`, '  chain out {', '    type filter hook output priority 0; policy accept;', ...rules, '  }', '}', ''].join('\n'));
  }
};

/** Removes what `cutHaLink` added; a namespace without the table is left as it is. */
export const restoreHaLink = (pair: MixedPair): void => {
  for (const server of pair.servers.values()) {
    spawnSync('ip', ['netns', 'exec', server.host.ns, 'nft', 'delete', 'table', 'inet', TABLE]);
  }
};
