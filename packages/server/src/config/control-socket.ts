import { ConfigError, expectObject, expectString, rejectUnknownKeys } from './config-error.js';

/** Kea 2.2's DHCP daemons have one control socket, a unix one; kea-ctrl-agent fronts it for HTTP. */
export interface ControlSocketConfig {
  readonly type: 'unix';
  readonly path: string;
}

const KNOWN = new Set(['socket-type', 'socket-name', 'user-context', 'comment']);

export const parseControlSocket = (value: unknown, path: string): ControlSocketConfig | undefined => {
  if (value === undefined) return undefined;
  const section = expectObject(value, path);
  rejectUnknownKeys(section, KNOWN, path);
  if (section['socket-type'] === undefined) throw new ConfigError(`${path}: mandatory 'socket-type' parameter missing`);
  const type = expectString(section['socket-type'], `${path}.socket-type`);
  if (type !== 'unix') throw new ConfigError(`${path}.socket-type '${type}' is not supported: only 'unix'`);
  if (section['socket-name'] === undefined) throw new ConfigError(`${path}: mandatory 'socket-name' parameter missing`);
  const name = expectString(section['socket-name'], `${path}.socket-name`);
  if (name === '') throw new ConfigError(`${path}.socket-name must not be empty`);
  // sun_path holds 107 bytes plus the terminating zero on Linux.
  if (Buffer.byteLength(name) > 107) throw new ConfigError(`${path}.socket-name '${name}' is longer than a unix socket path may be (107 bytes)`);
  return { type: 'unix', path: name };
};
