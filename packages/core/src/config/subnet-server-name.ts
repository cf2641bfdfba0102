/**
 * [HEAD ≥2.5.5] Which relationship serves a subnet (spec §1.1, CFG-36): the `ha-server-name`
 * in the subnet's user context, else in its shared network's; absent when neither has one.
 */
import { isJsonMap, member } from './json-reader.js';

export type SubnetServerName =
  | { readonly ok: true; readonly serverName: string | undefined }
  | { readonly ok: false; readonly message: string };

export function subnetServerName(subnetUserContext: unknown, sharedNetworkUserContext?: unknown): SubnetServerName {
  for (const [level, context] of [
    ['subnet', subnetUserContext],
    ['shared network', sharedNetworkUserContext],
  ] as const) {
    if (!isJsonMap(context) || !Object.hasOwn(context, 'ha-server-name')) continue;
    const name = member(context, 'ha-server-name');
    if (typeof name !== 'string' || name === '') {
      return { ok: false, message: `'ha-server-name' in the ${level} user context must be a non-empty string` };
    }
    return { ok: true, serverName: name };
  }
  return { ok: true, serverName: undefined };
}
