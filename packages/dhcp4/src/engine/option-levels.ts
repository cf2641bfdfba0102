/**
 * The configured options that apply to one answer, innermost first as Kea ranks them: host
 * reservation, pool, subnet, client classes (in the order the client got them), global.
 */
import type { ConfiguredOption } from '../config/types.js';

const mapCache = new WeakMap<readonly ConfiguredOption[], ReadonlyMap<number, ConfiguredOption>>();
const alwaysSendCache = new WeakMap<readonly ConfiguredOption[], readonly number[]>();

function alwaysSendCodes(options: readonly ConfiguredOption[]): readonly number[] {
  let codes = alwaysSendCache.get(options);
  if (codes === undefined) {
    codes = options.filter((o) => o.alwaysSend).map((o) => o.code);
    alwaysSendCache.set(options, codes);
  }
  return codes;
}

function byCode(options: readonly ConfiguredOption[]): ReadonlyMap<number, ConfiguredOption> {
  let map = mapCache.get(options);
  if (map === undefined) {
    map = new Map(options.map((o) => [o.code, o]));
    mapCache.set(options, map);
  }
  return map;
}

export class OptionLevels {
  readonly #levels: readonly (readonly ConfiguredOption[])[];

  constructor(levels: readonly (readonly ConfiguredOption[])[]) {
    this.#levels = levels.filter((level) => level.length > 0);
  }

  find(code: number): ConfiguredOption | undefined {
    for (const level of this.#levels) {
      const option = byCode(level).get(code);
      if (option !== undefined) return option;
    }
    return undefined;
  }

  /**
   * Options to send unasked: every code marked always-send at any level, with the value of its
   * innermost definition (Kea collects the codes first, then looks each one up).
   */
  alwaysSend(): ConfiguredOption[] {
    const found: ConfiguredOption[] = [];
    for (const level of this.#levels) {
      for (const code of alwaysSendCodes(level)) {
        const option = this.find(code)!;
        if (!found.includes(option)) found.push(option);
      }
    }
    return found;
  }
}
