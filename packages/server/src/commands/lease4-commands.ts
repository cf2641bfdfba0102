import type { Lease4, LeaseStore } from '@tandem/leases';
import { CommandArgumentError as CommandError } from './argument-error.js';
import { empty, failure, success, type ControlAnswer } from './answer.js';
import { isJsonMap, type JsonValue } from './json.js';
import { parseLease4ArgumentsWithCore } from './lease4-args-core.js';
import { lease4ToJson, normaliseHexIdentifier, type Lease4Arguments } from './lease4-json.js';
import type { CommandHandler } from './registry.js';
import { ipv4ToNumber, type SubnetCatalog } from './subnet-catalog.js';

/** What Kea's lease_cmds hook needs from the daemon. */
export interface LeaseCommandContext {
  readonly store: LeaseStore;
  readonly subnets: SubnetCatalog;
  nowS(): number;
  /** The lease-argument parser; by default the HA core's shared wire parser behind the daemon's subnet checks. */
  readonly parseLease?: (args: JsonValue | undefined, subnets: SubnetCatalog, nowS: number) => Lease4Arguments;
}


type LeaseQuery =
  | { readonly by: 'address'; readonly address: string }
  | { readonly by: 'hw-address'; readonly hwAddress: string; readonly subnetId: number }
  | { readonly by: 'client-id'; readonly clientId: string; readonly subnetId: number };

/** The `ip-address` or `identifier-type`/`identifier`/`subnet-id` selection of lease4-get and lease4-del. */
const parseLeaseQuery = (args: JsonValue | undefined): LeaseQuery => {
  if (!isJsonMap(args)) throw new CommandError('Parameters missing or are not a map.');
  if (args['update-ddns'] !== undefined && typeof args['update-ddns'] !== 'boolean') {
    throw new CommandError("'update-ddns' is not a boolean");
  }
  const address = args['ip-address'];
  if (address !== undefined) {
    if (typeof address !== 'string') throw new CommandError("'ip-address' is not a string.");
    if (ipv4ToNumber(address) === undefined) throw new CommandError(`Invalid IPv4 address specified: ${address}`);
    return { by: 'address', address };
  }
  const subnetId = args['subnet-id'];
  if (subnetId === undefined) throw new CommandError("Mandatory 'subnet-id' parameter missing.");
  if (typeof subnetId !== 'number' || !Number.isInteger(subnetId)) throw new CommandError("'subnet-id' parameter is not integer.");
  const type = args['identifier-type'];
  const identifier = args.identifier;
  if (typeof type !== 'string') {
    throw new CommandError("No 'ip-address' provided and 'identifier-type' is either missing or not a string.");
  }
  if (typeof identifier !== 'string') {
    throw new CommandError("No 'ip-address' provided and 'identifier' is either missing or not a string.");
  }
  switch (type) {
    case 'hw-address':
      return { by: 'hw-address', hwAddress: normaliseHexIdentifier(identifier, 'hw-address'), subnetId };
    case 'client-id':
      return { by: 'client-id', clientId: normaliseHexIdentifier(identifier, 'client-id'), subnetId };
    case 'duid':
      throw new CommandError('Query by duid is not allowed in v4.');
    case 'address':
      throw new CommandError("No 'ip-address' provided and 'identifier-type' is address.");
    default:
      throw new CommandError(`Incorrect identifier type: ${type}, the only supported values are: address, hw-address, duid`);
  }
};

const findLease = async (store: LeaseStore, query: LeaseQuery): Promise<Lease4 | undefined> => {
  switch (query.by) {
    case 'address':
      return store.get(query.address);
    case 'hw-address':
      return (await store.getByHwAddress(query.hwAddress)).find((l) => l.subnetId === query.subnetId);
    case 'client-id':
      return (await store.getByClientId(query.clientId)).find((l) => l.subnetId === query.subnetId);
  }
};

/** Runs a handler body, turning argument errors into Kea's result-1 answer with the error text. */
const guarded =
  (body: (args: JsonValue | undefined, ctx: LeaseCommandContext) => Promise<ControlAnswer>): CommandHandler<LeaseCommandContext> =>
  async (args, ctx) => {
    try {
      return await body(args, ctx);
    } catch (error) {
      if (error instanceof CommandError) return failure(error.message);
      throw error;
    }
  };

const parseLease = (args: JsonValue | undefined, ctx: LeaseCommandContext, missingText: string) => {
  if (args === undefined) throw new CommandError(missingText);
  const parsed = (ctx.parseLease ?? parseLease4ArgumentsWithCore)(args, ctx.subnets, ctx.nowS());
  if (parsed.kind === 'invalid') throw new CommandError(parsed.reason);
  return parsed;
};

const foundText = (n: number): string => `${n} IPv4 lease(s) found.`;

const allLeases = async (store: LeaseStore): Promise<Lease4[]> => {
  const out: Lease4[] = [];
  let from: string | 'start' = 'start';
  for (;;) {
    const page = await store.page(from, 10_000);
    out.push(...page);
    const last = page[page.length - 1];
    if (page.length < 10_000 || last === undefined) return out;
    from = last.address;
  }
};

const MAX_PAGE_SIZE = 0xffffffff;

export const lease4Commands: Readonly<Record<string, CommandHandler<LeaseCommandContext>>> = {
  'lease4-add': guarded(async (args, ctx) => {
    const { lease } = parseLease(args, ctx, 'no parameters specified for the command');
    if (!(await ctx.store.add(lease))) return failure('IPv4 lease already exists.');
    return success(`Lease for address ${lease.address}, subnet-id ${lease.subnetId} added.`);
  }),

  'lease4-update': guarded(async (args, ctx) => {
    const { lease, forceCreate } = parseLease(args, ctx, 'no parameters specified for lease4-update command');
    if (await ctx.store.update(lease)) return success('IPv4 lease updated.');
    if (forceCreate && (await ctx.store.add(lease))) return success('IPv4 lease added.');
    if (forceCreate) return failure('lost race between calls to get and add');
    return failure(
      `failed to update the lease with address ${lease.address} either because the lease has been deleted or it has changed in the database, in both cases a retry might succeed`,
    );
  }),

  'lease4-get': guarded(async (args, ctx) => {
    const lease = await findLease(ctx.store, parseLeaseQuery(args));
    return lease === undefined ? empty('Lease not found.') : success('IPv4 lease found.', lease4ToJson(lease));
  }),

  'lease4-del': guarded(async (args, ctx) => {
    const lease = await findLease(ctx.store, parseLeaseQuery(args));
    if (lease === undefined || !(await ctx.store.delete(lease.address))) return empty('IPv4 lease not found.');
    return success('IPv4 lease deleted.');
  }),

  'lease4-get-all': guarded(async (args, ctx) => {
    let leases = await allLeases(ctx.store);
    if (args !== undefined) {
      const subnets = isJsonMap(args) ? args.subnets : undefined;
      if (subnets === undefined) throw new CommandError("'subnets' parameter not specified");
      if (!Array.isArray(subnets)) throw new CommandError("'subnets' parameter must be a list");
      const ids: number[] = [];
      for (const id of subnets as readonly JsonValue[]) {
        if (typeof id !== 'number' || !Number.isInteger(id)) throw new CommandError('listed subnet identifiers must be numbers');
        ids.push(id);
      }
      // Kea lists the leases subnet by subnet, in the order the subnets were given.
      leases = ids.flatMap((id) => leases.filter((l) => l.subnetId === id));
    }
    const json = leases.map(lease4ToJson);
    const answer = { leases: json };
    return json.length > 0 ? success(foundText(json.length), answer) : empty(foundText(0), answer);
  }),

  'lease4-get-page': guarded(async (args, ctx) => {
    if (args === undefined) throw new CommandError('no parameters specified for the lease4-get-page command');
    if (!isJsonMap(args)) throw new CommandError("'from' parameter not specified");
    const from = args.from;
    if (from === undefined) throw new CommandError("'from' parameter not specified");
    if (typeof from !== 'string') throw new CommandError("'from' parameter must be a string");
    if (from !== 'start' && ipv4ToNumber(from) === undefined) {
      throw new CommandError(
        from.includes(':')
          ? `'from' parameter value ${from} is not an IPv4 address`
          : "'from' parameter value is neither 'start' keyword nor a valid IPv4 address",
      );
    }
    const limit = args.limit;
    if (limit === undefined) throw new CommandError("'limit' parameter not specified");
    if (typeof limit !== 'number' || !Number.isInteger(limit)) throw new CommandError("'limit' parameter must be a number");
    if (limit === 0) throw new CommandError('page size of retrieved leases must not be 0');
    if (limit < 0 || limit > MAX_PAGE_SIZE) {
      throw new CommandError(`page size of retrieved leases must not be greater than ${MAX_PAGE_SIZE}`);
    }
    const page = await ctx.store.page(from === 'start' || from === '0.0.0.0' ? 'start' : from, limit);
    const json = page.map(lease4ToJson);
    const answer = { leases: json, count: json.length };
    return json.length > 0 ? success(foundText(json.length), answer) : empty(foundText(0), answer);
  }),

  'lease4-get-by-hw-address': guarded(async (args, ctx) => {
    if (!isJsonMap(args)) throw new CommandError('Command arguments missing or a not a map.');
    const hw = args['hw-address'];
    if (hw === undefined) throw new CommandError("'hw-address' parameter not specified");
    if (typeof hw !== 'string') throw new CommandError("'hw-address' parameter must be a string");
    const json = (await ctx.store.getByHwAddress(normaliseHexIdentifier(hw, 'hw-address'))).map(lease4ToJson);
    return json.length > 0 ? success(foundText(json.length), { leases: json }) : empty(foundText(0), { leases: json });
  }),

  'lease4-get-by-client-id': guarded(async (args, ctx) => {
    if (!isJsonMap(args)) throw new CommandError('Command arguments missing or a not a map.');
    const id = args['client-id'];
    if (id === undefined) throw new CommandError("'client-id' parameter not specified");
    if (typeof id !== 'string') throw new CommandError("'client-id' parameter must be a string");
    const json = (await ctx.store.getByClientId(normaliseHexIdentifier(id, 'client-id'))).map(lease4ToJson);
    return json.length > 0 ? success(foundText(json.length), { leases: json }) : empty(foundText(0), { leases: json });
  }),
};
