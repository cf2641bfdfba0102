import { CONTROL_RESULT_ERROR, failure, success, successArgs, type ControlAnswer } from './answer.js';
import { isJsonMap, type JsonMap, type JsonValue } from './json.js';
import type { CommandHandler } from './registry.js';
import type { ServiceOrigin } from '../service/network-state.js';

/** What the daemon-level commands (those Kea's kea-dhcp4 registers itself) need. */
export interface DaemonCommandContext {
  readonly version: string;
  readonly extendedVersion: string;
  /** The running configuration as loaded (`{"Dhcp4": {...}}`). */
  configJson(): JsonMap;
  /** Checks a candidate `Dhcp4` map without applying it; resolves to an error text or undefined. */
  testConfig(dhcp4: JsonMap): Promise<string | undefined>;
  status(): JsonMap;
  /** Reclaims every expired lease now; `remove` deletes instead of marking expired-reclaimed. */
  reclaimExpired(remove: boolean): Promise<void>;
  shutdown(exitValue: number): void;
  disableService(origin: ServiceOrigin, maxPeriodS?: number): void;
  enableService(origin: ServiceOrigin): void;
  /** The latest sample of one of Kea's statistics, as `[value, timestamp]`; undefined when it is not kept. */
  statistic(name: string): readonly [number, string] | undefined;
}

const parseOrigin = (args: JsonMap): { origin: ServiceOrigin } | { error: string } => {
  const origin = args.origin;
  if (origin === undefined) return { origin: 'user' };
  if (typeof origin !== 'string') return { error: "'origin' argument must be a string" };
  if (origin === 'ha-partner') return { origin: 'ha' };
  if (origin === 'user') return { origin: 'user' };
  return { error: `invalid value used for 'origin' parameter: ${origin === '' ? '(empty string)' : origin}` };
};

export const daemonCommands: Readonly<Record<string, CommandHandler<DaemonCommandContext>>> = {
  'version-get': async (_args, ctx) => success(ctx.version, { extended: ctx.extendedVersion }),

  'build-report': async (_args, ctx) => success(ctx.extendedVersion),

  'config-get': async (_args, ctx) => successArgs(ctx.configJson()),

  'config-test': async (args, ctx): Promise<ControlAnswer> => {
    if (args === undefined) return failure("Missing mandatory 'arguments' parameter.");
    if (!isJsonMap(args)) return failure("Missing mandatory 'Dhcp4' parameter.");
    const dhcp4 = args.Dhcp4;
    if (dhcp4 === undefined) return failure("Missing mandatory 'Dhcp4' parameter.");
    if (!isJsonMap(dhcp4)) return failure("'Dhcp4' parameter expected to be a map.");
    const others = Object.keys(args).filter((k) => k !== 'Dhcp4');
    if (others.length > 0) {
      const [first, ...rest] = others;
      return failure(`Unsupported '${first}' parameter${rest.map((k) => ` (and '${k}')`).join('')}.`);
    }
    const error = await ctx.testConfig(dhcp4);
    if (error !== undefined) return { result: CONTROL_RESULT_ERROR, text: error };
    return success('Configuration seems sane. Control-socket, hook-libraries, and D2 configuration were sanity checked, but not applied.');
  },

  'status-get': async (_args, ctx) => successArgs(ctx.status()),

  'leases-reclaim': async (args, ctx) => {
    const remove = isJsonMap(args) ? args.remove : undefined;
    if (remove === undefined) return failure("Missing mandatory 'remove' parameter.");
    if (typeof remove !== 'boolean') return failure("'remove' parameter expected to be a boolean.");
    await ctx.reclaimExpired(remove);
    return success('Reclamation of expired leases is complete.');
  },

  shutdown: async (args, ctx) => {
    let exitValue = 0;
    if (args !== undefined) {
      if (!isJsonMap(args)) return failure('Argument must be a map');
      const value = args['exit-value'];
      if (value !== undefined) {
        if (typeof value !== 'number' || !Number.isInteger(value)) return failure("parameter 'exit-value' is not an integer");
        exitValue = value;
      }
    }
    ctx.shutdown(exitValue);
    return success('Shutting down.');
  },

  'dhcp-disable': async (args, ctx) => {
    let maxPeriodS: number | undefined;
    let origin: ServiceOrigin = 'user';
    const errors: string[] = [];
    if (args !== undefined) {
      if (!isJsonMap(args)) return failure("arguments for the 'dhcp-disable' command must be a map");
      const period: JsonValue | undefined = args['max-period'];
      if (period !== undefined) {
        if (typeof period !== 'number' || !Number.isInteger(period)) errors.push("'max-period' argument must be a number");
        else if (period <= 0) errors.push("'max-period' must be positive integer");
        else maxPeriodS = period;
      }
      const parsed = parseOrigin(args);
      if ('error' in parsed) errors.push(parsed.error);
      else origin = parsed.origin;
    }
    // Kea 2.2 concatenates every complaint into one text.
    if (errors.length > 0) return failure(errors.join(''));
    ctx.disableService(origin, maxPeriodS);
    return success(`DHCPv4 service disabled${maxPeriodS !== undefined ? ` for ${maxPeriodS} seconds` : ''}`);
  },

  // Kea's StatsMgr handler: an unknown name is not an error, it yields an empty map.
  'statistic-get': async (args, ctx) => {
    const name = isJsonMap(args) ? args.name : undefined;
    if (name === undefined) return failure("Missing mandatory 'name' parameter.");
    if (typeof name !== 'string') return failure("'name' parameter expected to be a string.");
    const sample = ctx.statistic(name);
    return successArgs(sample === undefined ? {} : { [name]: [[sample[0], sample[1]]] });
  },

  'dhcp-enable': async (args, ctx) => {
    let origin: ServiceOrigin = 'user';
    if (args !== undefined) {
      if (!isJsonMap(args)) return failure("arguments for the 'dhcp-enable' command must be a map");
      const parsed = parseOrigin(args);
      if ('error' in parsed) return failure(parsed.error);
      origin = parsed.origin;
    }
    ctx.enableService(origin);
    return success('DHCP service successfully enabled');
  },
};
