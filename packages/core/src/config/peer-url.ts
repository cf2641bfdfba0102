/**
 * A peer's `url` (spec §5.2, CFG-12..15). The syntax checks and their texts follow Kea's URL
 * parser; the host must then be an IP literal. Tandem is stricter than Kea about the port:
 * Kea accepts a URL without one (and then connects to port 0) or with a port above 65535.
 */
import { isIpv4Literal, isIpv6Literal } from './ip-literal.js';
import type { PeerUrl } from './types.js';

export type PeerUrlProblem =
  /** Kea: `invalid URL: <detail> for server <name>`. */
  | { readonly kind: 'syntax'; readonly detail: string }
  /** Kea: `bad url '<url>': <detail> for server <name>`. */
  | { readonly kind: 'host'; readonly detail: string }
  /** Tandem only: Kea accepts the URL but cannot use it. */
  | { readonly kind: 'port'; readonly detail: string };

export type PeerUrlOutcome = { readonly ok: true; readonly url: PeerUrl } | { readonly ok: false; readonly problem: PeerUrlProblem };

const syntax = (detail: string): PeerUrlOutcome => ({ ok: false, problem: { kind: 'syntax', detail } });

export function parsePeerUrl(href: string): PeerUrlOutcome {
  const colon = href.indexOf(':');
  if (colon <= 0) return syntax(`url ${href} lacks http or https scheme`);
  const schemeText = href.slice(0, colon);
  if (schemeText !== 'http' && schemeText !== 'https') return syntax(`invalid scheme ${schemeText} in ${href}`);
  const scheme = schemeText;
  if (href.slice(colon, colon + 3) !== '://') return syntax(`expected :// after scheme in ${href}`);
  const authorityStart = colon + 3;
  if (authorityStart >= href.length) return syntax(`hostname missing in ${href}`);

  let hostText: string;
  let rest: string;
  if (href[authorityStart] === '[') {
    const close = href.indexOf(']', authorityStart);
    if (close < 0) return syntax(`expected ] after IPv6 address in ${href}`);
    if (close === authorityStart + 1) return syntax(`expected IPv6 address within [] in ${href}`);
    hostText = href.slice(authorityStart + 1, close);
    rest = href.slice(close + 1);
  } else {
    const end = firstIndexOf(href, [':', '/'], authorityStart);
    hostText = href.slice(authorityStart, end);
    rest = href.slice(end);
  }

  let portText: string | undefined;
  if (rest.startsWith(':')) {
    const slash = rest.indexOf('/');
    portText = slash < 0 ? rest.slice(1) : rest.slice(1, slash);
    if (portText === '') return syntax(`expected port number after : in ${href}`);
    if (!/^[0-9]+$/.test(portText)) return syntax(`invalid port number ${portText} in ${href}`);
  } else if (rest !== '' && !rest.startsWith('/')) {
    return syntax(`unexpected text after the IPv6 address in ${href}`);
  }

  // Kea's IOAddress tries IPv6 first, then IPv4, on the host with its brackets removed.
  const family = isIpv6Literal(hostText) ? 6 : isIpv4Literal(hostText) ? 4 : undefined;
  if (family === undefined) {
    return { ok: false, problem: { kind: 'host', detail: `Failed to convert string to address '${hostText}': Invalid argument` } };
  }
  if (portText === undefined) {
    return { ok: false, problem: { kind: 'port', detail: 'port number missing; Tandem needs one to reach the peer' } };
  }
  const port = Number(portText);
  if (port < 1 || port > 65535) {
    return { ok: false, problem: { kind: 'port', detail: `port number ${portText} is outside 1..65535` } };
  }
  return { ok: true, url: { href, scheme, host: hostText, family, port } };
}

function firstIndexOf(text: string, needles: readonly string[], from: number): number {
  const found = needles.map((needle) => text.indexOf(needle, from)).filter((index) => index >= 0);
  return found.length === 0 ? text.length : Math.min(...found);
}
