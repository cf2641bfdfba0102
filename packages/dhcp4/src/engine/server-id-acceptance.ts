/**
 * Whether a query is meant for this server, judged by its server identifier (option 54), as Kea
 * 2.2's Dhcpv4Srv::acceptServerId judges it before any processing. A client names the server whose
 * offer it took (RFC 2131 §4.3.2, SELECTING); every other server must stay silent, which is how the
 * client declines their offers. In an HA pair this keeps a partner-down standby from answering a
 * client that chose the primary's offer just before the primary died.
 *
 * Kea applies the rule to every message type: a DHCPDISCOVER or DHCPINFORM naming another server is
 * dropped like a DHCPREQUEST. The order of the checks is Kea's; the reason only names the outcome.
 */
import type { Dhcp4ServerConfig } from '../config/types.js';
import { ipv4FromBytes } from '../ipv4-address.js';
import { relayAgentInformation, serverIdentifier } from '../options.js';
import { OptionCode, type Dhcp4Packet } from '../packet.js';

/**
 * The `dhcp-server-identifier` values of the configuration at the levels Kea consults. Pool and host
 * reservation levels are not consulted (Kea does not: the pool and host are unknown at this point).
 * Shared networks are not a level here because Tandem's configuration has none.
 */
export interface ConfiguredServerIds {
  readonly global: string | undefined;
  /** Values set in some subnet's option-data: any subnet will do, the client's is not known yet. */
  readonly subnets: ReadonlySet<string>;
  /** Class name to the value its option-data sets; counts only for queries in that class. */
  readonly classes: ReadonlyMap<string, string>;
}

/** What the shell knows about this server when the query arrives. */
export interface ServerIdContext {
  /**
   * Every address this server receives queries on (Kea: an address with an open socket), and so may
   * have put in option 54 when it answered from that interface.
   */
  readonly ownAddresses: ReadonlySet<string>;
  /** The query's classes before subnet selection: those assigned by HA, `ALL`, and matching tests. */
  readonly classes: ReadonlySet<string>;
}

export type AcceptedBy = 'no-server-id' | 'relay-override' | 'own-address' | 'subnet' | 'client-class' | 'global';

export type ServerIdVerdict =
  | { readonly kind: 'accept'; readonly by: AcceptedBy }
  | { readonly kind: 'drop'; readonly serverId: string; readonly reason: string };

export function configuredServerIds(config: Dhcp4ServerConfig): ConfiguredServerIds {
  const global = serverIdOf(config.options);
  const subnets = new Set<string>();
  for (const subnet of config.subnets) {
    const value = serverIdOf(subnet.options);
    if (value !== undefined) subnets.add(value);
  }
  const classes = new Map<string, string>();
  for (const definition of config.clientClasses) {
    const value = serverIdOf(definition.options);
    if (value !== undefined) classes.set(definition.name, value);
  }
  return { global, subnets, classes };
}

const ACCEPT_NO_SERVER_ID: ServerIdVerdict = Object.freeze({ kind: 'accept', by: 'no-server-id' });

export function acceptServerId(query: Dhcp4Packet, server: ServerIdContext, configured: ConfiguredServerIds): ServerIdVerdict {
  // Without option 54 the query is addressed to every server. The decoder has already refused an
  // option 54 that is not four bytes, as Kea's parser does.
  const serverId = serverIdentifier(query);
  if (serverId === undefined) return ACCEPT_NO_SERVER_ID;
  // RFC 5107: the relay told the client to use the relay's address as server identifier.
  if (relayAgentInformation(query)?.serverIdOverride === serverId) return { kind: 'accept', by: 'relay-override' };
  if (server.ownAddresses.has(serverId)) return { kind: 'accept', by: 'own-address' };
  if (configured.subnets.has(serverId)) return { kind: 'accept', by: 'subnet' };
  for (const name of server.classes) {
    if (configured.classes.get(name) === serverId) return { kind: 'accept', by: 'client-class' };
  }
  if (configured.global === serverId) return { kind: 'accept', by: 'global' };
  return {
    kind: 'drop',
    serverId,
    reason: `server identifier ${serverId} is not this server's (the client chose another server)`,
  };
}

function serverIdOf(options: Dhcp4ServerConfig['options']): string | undefined {
  const option = options.find((o) => o.code === OptionCode.SERVER_IDENTIFIER);
  return option === undefined || option.data.length !== 4 ? undefined : ipv4FromBytes(option.data);
}
