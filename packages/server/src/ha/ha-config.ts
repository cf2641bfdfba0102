import { readFileSync, statSync } from 'node:fs';
import { parseHaConfig, type HaConfig } from '@tandem/core';
import { ConfigError } from '../config/config-error.js';
import type { HookLibrary } from '../config/hooks-libraries.js';

/**
 * The `high-availability` parameters of libdhcp_ha.so, read by the core's parser from the whole
 * `{"Dhcp4": …}` document so that an error names its path in the file the operator edits
 * (`$.Dhcp4.hooks-libraries[1].parameters.high-availability[0].peers[0].url`). Undefined when
 * the library is not loaded. Password and TLS files are read here, at start-up, once.
 */
export const parseHaHookConfig = (document: unknown, libraries: readonly HookLibrary[]): HaConfig | undefined => {
  if (!libraries.some((library) => library.kind === 'high-availability')) return undefined;
  const parsed = parseHaConfig(document, { compat: '2.2', readFile: readConfigFile });
  if (!parsed.ok) throw new ConfigError(`libdhcp_ha.so: ${parsed.error.message}`);
  return parsed.value;
};

/** A `trust-anchor` may name a CA directory (OpenSSL's CA path): readable, so it passes. */
const readConfigFile = (path: string): string => (statSync(path).isDirectory() ? '' : readFileSync(path, 'utf8'));
