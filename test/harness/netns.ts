import { execFileSync, spawnSync } from 'node:child_process';

/**
 * A private test LAN: one bridge in a namespace of its own, and one namespace per host joined to it by a
 * veth pair, numbered in 198.18.0.0/16 (RFC 2544 benchmarking range), which exists only inside these
 * namespaces. Names carry a prefix and the test process id so parallel runs never collide.
 */
export interface LanHost {
  readonly name: string;
  /** Namespace name. */
  readonly ns: string;
  /** The host's interface inside its namespace. */
  readonly iface: string;
  readonly address: string;
}

export interface TestLan {
  readonly hosts: Readonly<Record<string, LanHost>>;
  destroy(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Why namespaces cannot be used here, or undefined when they can (probed by creating one). */
export const netnsUnavailable = (): string | undefined => {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  const probe = `tndprobe${process.pid}`;
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (add.error !== undefined) return `'ip' is not available (${add.error.message}); install iproute2`;
  if (add.status !== 0) return `'ip netns add' failed (${add.stderr.trim()}); run as root (or with CAP_SYS_ADMIN + CAP_NET_ADMIN)`;
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
};

/** Creates the LAN; `hosts` maps a role name to its last two address octets, e.g. `{ server: '0.1' }`. */
export const createTestLan = (tag: string, hosts: Readonly<Record<string, string>>): TestLan => {
  const prefix = `tnd${tag}${process.pid}`;
  const created: string[] = [];
  const destroy = () => {
    for (const ns of created.reverse()) spawnSync('ip', ['netns', 'del', ns]);
  };
  try {
    const sw = `${prefix}-sw`;
    ip('netns', 'add', sw);
    created.push(sw);
    ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', sw, 'link', 'set', 'br0', 'up');
    const out: Record<string, LanHost> = {};
    let index = 0;
    for (const [role, suffix] of Object.entries(hosts)) {
      const ns = `${prefix}-${role}`;
      ip('netns', 'add', ns);
      created.push(ns);
      const iface = 'lan0';
      const port = `p${index++}`;
      ip('link', 'add', iface, 'netns', ns, 'type', 'veth', 'peer', 'name', port, 'netns', sw);
      ip('-n', sw, 'link', 'set', port, 'master', 'br0');
      ip('-n', sw, 'link', 'set', port, 'up');
      const address = `198.18.${suffix}`;
      ip('-n', ns, 'addr', 'add', `${address}/16`, 'dev', iface);
      ip('-n', ns, 'link', 'set', iface, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      out[role] = { name: role, ns, iface, address };
    }
    return { hosts: out, destroy };
  } catch (error) {
    destroy();
    throw error;
  }
};
