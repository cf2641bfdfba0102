/**
 * The few of Kea's DHCPv4 packet statistics that tandemd keeps, under Kea's names, so an operator's
 * `statistic-get` works against either server. Each holds its value and when it last changed; Kea
 * keeps a history of samples, Tandem only the latest (it keeps no statistics samples).
 */
export const PACKET_STATISTIC_NAMES = [
  /** Queries dropped before or while being processed (unparsable, foreign server identifier, parked-packet limit). */
  'pkt4-receive-drop',
  /** Queries that could not be parsed. */
  'pkt4-parse-failed',
] as const;

export type PacketStatisticName = (typeof PACKET_STATISTIC_NAMES)[number];

export interface StatisticSample {
  readonly value: number;
  readonly sampledMs: number;
}

export class PacketStatistics {
  readonly #samples = new Map<string, StatisticSample>();

  /** Kea sets every one of them to 0 when the server starts. */
  constructor(startedMs: number) {
    for (const name of PACKET_STATISTIC_NAMES) this.#samples.set(name, { value: 0, sampledMs: startedMs });
  }

  add(name: PacketStatisticName, nowMs: number): void {
    const current = this.#samples.get(name)!;
    this.#samples.set(name, { value: current.value + 1, sampledMs: nowMs });
  }

  /** Undefined for a name Tandem does not keep (Kea answers those with an empty map). */
  get(name: string): StatisticSample | undefined {
    return this.#samples.get(name);
  }
}

/** Kea's sample timestamp: local time, `YYYY-MM-DD HH:MM:SS.ffffff`. */
export const statisticTimestamp = (ms: number): string => {
  const t = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  const micros = String(t.getMilliseconds() * 1000).padStart(6, '0');
  return `${t.getFullYear()}-${two(t.getMonth() + 1)}-${two(t.getDate())} ${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}.${micros}`;
};
