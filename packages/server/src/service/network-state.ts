/**
 * Whether the DHCP service answers queries, with Kea 2.2's independent disable markers (spec §11):
 * the service is enabled iff the user, HA and DB-connection markers are all clear. The HA marker is
 * shared by the local HA state machine and remote `dhcp-disable` with origin `ha-partner`; the
 * DB-connection marker is set while the lease database is unreachable (on-fail `stop-retry-exit`).
 */
export type ServiceOrigin = 'user' | 'ha' | 'db-connection';

export interface ServiceTimers {
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

export const nodeTimers: ServiceTimers = {
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

export class NetworkState {
  readonly #disabled = new Set<ServiceOrigin>();
  readonly #delayedEnable = new Map<ServiceOrigin, { cancel(): void }>();
  readonly #listeners: Array<(enabled: boolean) => void> = [];

  constructor(private readonly timers: ServiceTimers = nodeTimers) {}

  isEnabled(): boolean {
    return this.#disabled.size === 0;
  }

  /** `maxPeriodS` re-enables that origin automatically, as `dhcp-disable` with `max-period` does. */
  disable(origin: ServiceOrigin, maxPeriodS?: number): void {
    const wasEnabled = this.isEnabled();
    this.#disabled.add(origin);
    if (maxPeriodS !== undefined && maxPeriodS > 0) {
      this.#delayedEnable.get(origin)?.cancel();
      this.#delayedEnable.set(
        origin,
        this.timers.setTimeout(() => {
          this.#delayedEnable.delete(origin);
          this.enable(origin);
        }, maxPeriodS * 1000),
      );
    }
    if (wasEnabled) this.#notify();
  }

  /** Like Kea 2.2, enabling does not cancel a pending max-period timer of that origin. */
  enable(origin: ServiceOrigin): void {
    const wasEnabled = this.isEnabled();
    this.#disabled.delete(origin);
    if (!wasEnabled && this.isEnabled()) this.#notify();
  }

  onChange(listener: (enabled: boolean) => void): void {
    this.#listeners.push(listener);
  }

  dispose(): void {
    for (const timer of this.#delayedEnable.values()) timer.cancel();
    this.#delayedEnable.clear();
  }

  #notify(): void {
    const enabled = this.isEnabled();
    for (const listener of this.#listeners) listener(enabled);
  }
}
