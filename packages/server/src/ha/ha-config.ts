import { readFileSync, statSync } from 'node:fs';
import { dedicatedListenerActive, parseHaConfig, type HaConfig } from '@tandem/core';
import { ConfigError } from '../config/config-error.js';
import type { HookLibrary } from '../config/hooks-libraries.js';

/**
 * How peers reach this server's HA commands at its peer URL.
 * - `dedicated-listener`: tandemd listens at the URL itself (Kea's HA+MT dedicated listener).
 * - `control-agent`: kea-ctrl-agent listens at the URL and forwards to tandemd's unix control
 *   socket (Kea 2.2's transport when HA multi-threading is off).
 */
export type HaTransport = 'dedicated-listener' | 'control-agent';

export interface HaHookConfig {
  readonly relationship: HaConfig;
  readonly transport: HaTransport;
}

/**
 * The `high-availability` parameters of libdhcp_ha.so, read by the core's parser from the whole
 * `{"Dhcp4": …}` document so that an error names its path in the file the operator edits
 * (`$.Dhcp4.hooks-libraries[1].parameters.high-availability[0].peers[0].url`). Undefined when
 * the library is not loaded. Password and TLS files are read here, at start-up, once.
 */
export const parseHaHookConfig = (
  document: unknown,
  libraries: readonly HookLibrary[],
  controlSocket: boolean,
): HaHookConfig | undefined => {
  const library = libraries.findIndex((l) => l.kind === 'high-availability');
  if (library < 0) return undefined;
  const parsed = parseHaConfig(document, { compat: '2.2', readFile: readConfigFile });
  if (!parsed.ok) throw new ConfigError(`libdhcp_ha.so: ${parsed.error.message}`);
  const transport = transportOf(parsed.value, (libraries[library] as { parameters: unknown }).parameters);
  if (transport === 'control-agent' && !controlSocket) {
    throw new ConfigError(
      `$.Dhcp4.control-socket: missing; the HA relationship's multi-threading turns the dedicated listener off, so peers reach this server through kea-ctrl-agent, which forwards to this control socket (set "http-dedicated-listener": true, or configure a unix control-socket)`,
    );
  }
  return { relationship: parsed.value, transport };
};

/**
 * Kea 2.2 opens the dedicated listener only with HA multi-threading and the dedicated listener
 * both on (both default off, leaving the URL to kea-ctrl-agent). tandemd has no agent of its own
 * and no threads, so a relationship that says nothing about `multi-threading` gets the listener;
 * one that does is read with Kea's meaning, so the same HA section drives both implementations.
 */
const transportOf = (config: HaConfig, parameters: unknown): HaTransport => {
  const relationships = (parameters as { 'high-availability'?: unknown })['high-availability'];
  const relationship = Array.isArray(relationships) ? (relationships[0] as Record<string, unknown>) : undefined;
  if (relationship?.['multi-threading'] === undefined) return 'dedicated-listener';
  return dedicatedListenerActive(config.multiThreading) ? 'dedicated-listener' : 'control-agent';
};

/** A `trust-anchor` may name a CA directory (OpenSSL's CA path): readable, so it passes. */
const readConfigFile = (path: string): string => (statSync(path).isDirectory() ? '' : readFileSync(path, 'utf8'));
