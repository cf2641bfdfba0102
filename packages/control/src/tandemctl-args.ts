/**
 * tandemctl's command line: which server, which command, and the command's `arguments` map built
 * from `--args`, stdin and the per-command flags. Pure, so that every rule is testable without a process.
 */

import { parseArgs } from 'node:util';
import { parseKeaJson, type JsonMap } from '@tandem/core';
import { isMap } from './json-map.js';

export const DEFAULT_URL = 'http://127.0.0.1:8000/';
export const DEFAULT_TIMEOUT_S = 10;

/** Process exit statuses; `--help` prints the same table. */
export const ExitCode = {
  SUCCESS: 0,
  ERROR: 1,
  UNSUPPORTED: 2,
  EMPTY: 3,
  NO_ANSWER: 4,
  OTHER_RESULT: 5,
  USAGE: 64,
} as const;

export const HELP_TEXT = `Usage: tandemctl [options] <command>

Sends one command to a Tandem or Kea control channel over HTTP(S), like kea-shell,
and prints the answer as indented JSON.

Connection:
  --url URL               server URL (default ${DEFAULT_URL})
  --service NAMES         comma-separated "service" list (default dhcp4); --service '' sends none
  --auth-user USER        HTTP Basic authentication user
  --auth-password PASS    HTTP Basic authentication password
  --ca PATH               trust anchor (file or directory) for an https URL
  --cert FILE --key FILE  client certificate and key for an https URL
  --timeout SECONDS       give up after this long (default ${DEFAULT_TIMEOUT_S})

Command arguments (merged into "arguments"; a flag overrides the same key from JSON):
  --args JSON             the arguments map as JSON; --args - reads it from stdin
                          (stdin is also read when it is not a terminal and no argument
                          option is given; empty input means no arguments)
  --from ADDRESS|start    lease4-get-page, lease6-get-page: first address of the page
  --limit N               lease4-get-page, lease6-get-page: page size
  --server-name NAME      ha-sync: the peer to sync from; any ha-* command: the relationship
  --max-period SECONDS    ha-sync, dhcp-disable
  --scopes A,B            ha-scopes: scopes to serve ('' for none)
  --cancel                ha-maintenance-notify: cancel the maintenance
  --origin NAME           dhcp-disable, dhcp-enable: e.g. user or ha-partner

Other:
  -h, --help              print this help

Exit status:
  0   result 0 (success)
  1   result 1 (error)
  2   result 2 (command not supported)
  3   result 3 (empty: nothing found)
  4   no answer: connection refused, timeout, TLS failure, unreadable answer
  5   any other result (e.g. 1001), or an HTTP-level refusal such as 401 or 403
  64  usage error

Examples:
  tandemctl --url http://192.0.2.1:8001/ status-get
  tandemctl --url http://192.0.2.1:8001/ lease4-get-page --from start --limit 100
  tandemctl ha-scopes --scopes server1,server2
  echo '{"max-period": 60}' | tandemctl dhcp-disable
`;

export interface TandemctlInvocation {
  readonly kind: 'run';
  readonly url: string;
  readonly command: string;
  readonly service: readonly string[] | undefined;
  readonly timeoutMs: number;
  readonly basicAuth?: { readonly user: string; readonly password: string };
  readonly tls?: { readonly trustAnchor: string; readonly certFile?: string; readonly keyFile?: string };
  /** Where the JSON part of the arguments comes from, before the flags are merged in. */
  readonly argumentsSource: { readonly kind: 'none' } | { readonly kind: 'text'; readonly text: string } | { readonly kind: 'stdin'; readonly explicit: boolean };
  /** Arguments set by flags; they win over the JSON ones. */
  readonly flagArguments: JsonMap;
}

export type TandemctlArgs = TandemctlInvocation | { readonly kind: 'help' } | { readonly kind: 'usage-error'; readonly message: string };

type ArgumentFlag = {
  readonly key: string;
  readonly type: 'string' | 'integer' | 'list' | 'boolean';
  readonly appliesTo: (command: string) => boolean;
  readonly where: string;
};

const among =
  (...commands: string[]) =>
  (command: string): boolean =>
    commands.includes(command);

const ARGUMENT_FLAGS: Readonly<Record<string, ArgumentFlag>> = {
  from: { key: 'from', type: 'string', appliesTo: among('lease4-get-page', 'lease6-get-page'), where: 'lease4-get-page, lease6-get-page' },
  limit: { key: 'limit', type: 'integer', appliesTo: among('lease4-get-page', 'lease6-get-page'), where: 'lease4-get-page, lease6-get-page' },
  'server-name': { key: 'server-name', type: 'string', appliesTo: (command) => command.startsWith('ha-'), where: 'ha-* commands' },
  'max-period': { key: 'max-period', type: 'integer', appliesTo: among('ha-sync', 'dhcp-disable'), where: 'ha-sync, dhcp-disable' },
  scopes: { key: 'scopes', type: 'list', appliesTo: among('ha-scopes'), where: 'ha-scopes' },
  cancel: { key: 'cancel', type: 'boolean', appliesTo: among('ha-maintenance-notify'), where: 'ha-maintenance-notify' },
  origin: { key: 'origin', type: 'string', appliesTo: among('dhcp-disable', 'dhcp-enable'), where: 'dhcp-disable, dhcp-enable' },
};

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  url: { type: 'string' },
  service: { type: 'string' },
  'auth-user': { type: 'string' },
  'auth-password': { type: 'string' },
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  timeout: { type: 'string' },
  args: { type: 'string' },
  from: { type: 'string' },
  limit: { type: 'string' },
  'server-name': { type: 'string' },
  'max-period': { type: 'string' },
  scopes: { type: 'string' },
  cancel: { type: 'boolean' },
  origin: { type: 'string' },
} as const;

const usage = (message: string): TandemctlArgs => ({ kind: 'usage-error', message });

export function parseTandemctlArgs(argv: readonly string[], stdinIsTerminal: boolean): TandemctlArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help' };
  if (positionals.length === 0) return usage('no command given');
  if (positionals.length > 1) return usage(`one command expected, got: ${positionals.join(' ')}`);
  const command = positionals[0]!;

  const url = values.url ?? DEFAULT_URL;
  if (!/^https?:\/\//i.test(url)) return usage(`--url '${url}' must start with http:// or https://`);

  const timeoutS = values.timeout === undefined ? DEFAULT_TIMEOUT_S : Number(values.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) return usage(`--timeout '${values.timeout}' must be a positive number of seconds`);

  const service = values.service === undefined ? ['dhcp4'] : values.service === '' ? undefined : values.service.split(',').map((s) => s.trim());

  if ((values['auth-user'] === undefined) !== (values['auth-password'] === undefined)) {
    return usage('--auth-user and --auth-password go together');
  }
  if ((values.cert === undefined) !== (values.key === undefined)) return usage('--cert and --key go together');
  if (values.cert !== undefined && values.ca === undefined) return usage('--cert and --key need --ca');

  const flagArguments: JsonMap = {};
  for (const [flag, spec] of Object.entries(ARGUMENT_FLAGS)) {
    const raw = (values as Record<string, string | boolean | undefined>)[flag];
    if (raw === undefined) continue;
    if (!spec.appliesTo(command)) return usage(`--${flag} is not an argument of '${command}' (it applies to ${spec.where})`);
    const value = flagValue(flag, spec, raw);
    if (!value.ok) return usage(value.problem);
    flagArguments[spec.key] = value.value;
  }

  const argumentsSource: TandemctlInvocation['argumentsSource'] =
    values.args === '-'
      ? { kind: 'stdin', explicit: true }
      : values.args !== undefined
        ? { kind: 'text', text: values.args }
        : !stdinIsTerminal && Object.keys(flagArguments).length === 0
          ? { kind: 'stdin', explicit: false }
          : { kind: 'none' };

  return {
    kind: 'run',
    url,
    command,
    service,
    timeoutMs: Math.round(timeoutS * 1000),
    ...(values['auth-user'] === undefined ? {} : { basicAuth: { user: values['auth-user'], password: values['auth-password']! } }),
    ...(values.ca === undefined
      ? {}
      : { tls: { trustAnchor: values.ca, ...(values.cert === undefined ? {} : { certFile: values.cert, keyFile: values.key! }) } }),
    argumentsSource,
    flagArguments,
  };
}

type FlagValue = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: string };

function flagValue(flag: string, spec: ArgumentFlag, raw: string | boolean): FlagValue {
  switch (spec.type) {
    case 'boolean':
      return { ok: true, value: raw === true };
    case 'string':
      return { ok: true, value: String(raw) };
    case 'integer': {
      const text = String(raw);
      if (!/^\d+$/.test(text)) return { ok: false, problem: `--${flag} '${text}' must be a non-negative integer` };
      return { ok: true, value: Number(text) };
    }
    case 'list': {
      const text = String(raw).trim();
      return { ok: true, value: text === '' ? [] : text.split(',').map((item) => item.trim()) };
    }
    default:
      return assertNever(spec.type);
  }
}

/**
 * The final `arguments` map: JSON text (from `--args` or stdin) with the flags laid over it;
 * undefined when there is nothing at all, so the request carries no `arguments` key (Kea tells
 * the two apart for several commands).
 */
export function buildArguments(jsonText: string | undefined, flagArguments: JsonMap): { ok: true; value: JsonMap | undefined } | { ok: false; problem: string } {
  let base: JsonMap | undefined;
  if (jsonText !== undefined && jsonText.trim() !== '') {
    const parsed = parseKeaJson(jsonText);
    if (!parsed.ok) return { ok: false, problem: `the command arguments are not valid JSON: ${parsed.reason}` };
    if (!isMap(parsed.value)) return { ok: false, problem: 'the command arguments must be a JSON map ({...})' };
    base = parsed.value;
  }
  if (base === undefined && Object.keys(flagArguments).length === 0) return { ok: true, value: undefined };
  return { ok: true, value: { ...base, ...flagArguments } };
}

/** Exit status for a parsed answer body: the first answer's result, mapped as `--help` documents. */
export function exitCodeForAnswer(body: unknown): number {
  const first = Array.isArray(body) ? body[0] : body;
  const result = isMap(first) ? first.result : undefined;
  // A map body is an HTTP-level refusal (its result is the HTTP status), never a command result.
  if (!Array.isArray(body)) return ExitCode.OTHER_RESULT;
  switch (result) {
    case 0:
      return ExitCode.SUCCESS;
    case 1:
      return ExitCode.ERROR;
    case 2:
      return ExitCode.UNSUPPORTED;
    case 3:
      return ExitCode.EMPTY;
    default:
      return ExitCode.OTHER_RESULT;
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}
