/**
 * Slows down key guessing: after `maxFailures` failed authentications from
 * one address within `windowMs`, that address is refused (429) until the
 * window that began with its first failure has passed, even with a right
 * key. Successful requests are never counted. The clock is injected.
 */
export interface FailedAuthLimiterOptions {
  maxFailures?: number;
  windowMs?: number;
  now?: () => number;
  /** Addresses remembered at most; the oldest windows are dropped first. */
  maxTracked?: number;
}

interface Window {
  startedAt: number;
  failures: number;
}

export class FailedAuthLimiter {
  readonly maxFailures: number;
  readonly windowMs: number;
  private readonly now: () => number;
  private readonly maxTracked: number;
  private readonly windows = new Map<string, Window>();

  constructor(options: FailedAuthLimiterOptions = {}) {
    this.maxFailures = options.maxFailures ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.maxTracked = options.maxTracked ?? 10_000;
  }

  /** Milliseconds until this address may try again; 0 when it may now. */
  retryAfterMs(address: string): number {
    const window = this.current(address);
    if (!window || window.failures < this.maxFailures) return 0;
    return window.startedAt + this.windowMs - this.now();
  }

  recordFailure(address: string): void {
    const window = this.current(address);
    if (window) {
      window.failures += 1;
      return;
    }
    if (this.windows.size >= this.maxTracked) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    this.windows.set(address, { startedAt: this.now(), failures: 1 });
  }

  /** The address's window while it lasts; an expired one is forgotten. */
  private current(address: string): Window | undefined {
    const window = this.windows.get(address);
    if (window && this.now() - window.startedAt >= this.windowMs) {
      this.windows.delete(address);
      return undefined;
    }
    return window;
  }
}
