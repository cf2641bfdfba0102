/**
 * IP address literals as Kea's IOAddress accepts them (inet_pton rules): dotted-quad IPv4
 * without leading zeros, IPv6 with at most one `::` and an optional trailing IPv4 part.
 * Host names are never resolved: a peer URL must name an address (spec §5.2).
 */

export function isIpv4Literal(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every(isIpv4Octet);
}

function isIpv4Octet(part: string): boolean {
  if (!/^[0-9]{1,3}$/.test(part)) return false;
  if (part.length > 1 && part.startsWith('0')) return false;
  return Number(part) <= 255;
}

export function isIpv6Literal(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const compressed = halves.length === 2;
  const head = groupsOf(halves[0] ?? '');
  const tail = compressed ? groupsOf(halves[1] ?? '') : [];
  const groups = [...head, ...tail];
  if (groups.some((group) => group === '')) return false;

  // A trailing dotted-quad stands for the last two groups.
  let count = groups.length;
  const last = groups[groups.length - 1];
  if (last !== undefined && last.includes('.')) {
    if (!isIpv4Literal(last)) return false;
    groups.pop();
    count += 1;
  }
  if (!groups.every((group) => /^[0-9A-Fa-f]{1,4}$/.test(group))) return false;
  return compressed ? count <= 7 : count === 8;
}

function groupsOf(text: string): string[] {
  return text === '' ? [] : text.split(':');
}
