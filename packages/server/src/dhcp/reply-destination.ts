/** Where an answer goes, as the allocation engine decided per RFC 2131 §4.1. */
export interface Destination {
  readonly address: string;
  readonly port: number;
  readonly broadcast: boolean;
}

/**
 * On the standard port an answer goes exactly where the engine says. On a test port (`-p`), relays are
 * assumed to listen where they sent from (like Kea's KEA_TEST_SEND_RESPONSES_TO_SOURCE), which is what lets
 * an unprivileged perfdhcp on loopback drive tandemd.
 */
export const finalDestination = (
  decided: Destination,
  query: { readonly giaddr: string },
  source: { readonly address: string; readonly port: number },
  serverPort: number,
): Destination => {
  const toRelay = query.giaddr !== '0.0.0.0' && decided.address === query.giaddr;
  if (serverPort !== 67 && toRelay) return { address: decided.address, port: source.port, broadcast: false };
  return decided;
};
