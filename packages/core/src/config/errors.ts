/**
 * How the HA configuration parser reports a problem: one error, the first one Kea would
 * have found, naming the JSON path so an operator can find it in a large Kea document.
 */

/** Short, stable identifiers of the checks; tests and tooling match on these, never on the text. */
export type ConfigRule =
  // Locating the `high-availability` list inside what the caller handed over.
  | 'input-shape'
  | 'ha-library-missing'
  | 'ha-library-duplicate'
  // Plain JSON shape.
  | 'unknown-key'
  | 'missing-parameter'
  | 'invalid-type'
  | 'integer-negative'
  | 'integer-too-large'
  // Spec §5.4, in the order Kea checks them.
  | 'relationships-not-list'
  | 'relationship-count'
  | 'relationship-not-map'
  | 'mode-value'
  | 'peers-missing'
  | 'peers-not-list'
  | 'state-machine-not-map'
  | 'states-not-list'
  | 'this-server-name-empty'
  | 'multi-threading-not-map'
  | 'peer-not-map'
  | 'peer-name-empty'
  | 'peer-name-unique'
  | 'role-value'
  | 'basic-auth-password-exclusive'
  | 'basic-auth-password-file'
  | 'basic-auth-user-exclusive'
  | 'basic-auth-user-file'
  | 'basic-auth-user-colon'
  | 'state-not-map'
  | 'state-label'
  | 'state-duplicated'
  | 'pause-value'
  | 'this-server-not-in-peers'
  | 'peer-url-invalid'
  | 'peer-url-host'
  | 'peer-url-port'
  | 'tls-all-or-none'
  | 'tls-file'
  | 'https-without-tls'
  | 'role-multiple'
  | 'role-not-allowed'
  | 'role-required'
  | 'wait-backup-ack-mode'
  | 'delayed-updates-limit-mode'
  | 'relationships-hot-standby-only'
  | 'server-names-unique';

export interface ConfigError {
  /** JSON path of the offending value (or of where a missing one belongs), e.g. `$.high-availability[0].peers[1].url`. */
  readonly path: string;
  readonly rule: ConfigRule;
  /** Kea's error text followed by the path. */
  readonly message: string;
}

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ConfigError };

/** Thrown by `parseHaConfigOrThrow`; the parser also uses it internally to stop at the first problem. */
export class HaConfigError extends Error implements ConfigError {
  override readonly name = 'HaConfigError';
  readonly path: string;
  readonly rule: ConfigRule;
  /** Kea's text without the path, for comparing with Kea's own messages. */
  readonly keaText: string;

  constructor(path: string, rule: ConfigRule, keaText: string) {
    super(`${keaText} (at ${path})`);
    this.path = path;
    this.rule = rule;
    this.keaText = keaText;
  }

  toConfigError(): ConfigError {
    return { path: this.path, rule: this.rule, message: this.message };
  }
}

/** Stops parsing at the first problem, as Kea does. */
export function fail(path: string, rule: ConfigRule, keaText: string): never {
  throw new HaConfigError(path, rule, keaText);
}
