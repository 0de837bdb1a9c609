export interface ReconnectPolicy {
  /** Attempts after a failure before giving up; Infinity for a monitor that never gives up. */
  maxRetries: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { maxRetries: Number.POSITIVE_INFINITY, initialDelayMs: 1000, maxDelayMs: 30_000 };

/**
 * Capped exponential backoff with jitter (half fixed, half random), so many
 * hubs reconnecting to one restarted upsd do not arrive in lockstep.
 */
export function backoffDelay(policy: ReconnectPolicy, attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}

/** A sleep that stop() can cut short. */
export class Sleeper {
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  sleep(ms: number): Promise<void> {
    this.cancel();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** A policy from the two numbers users set: first delay, and retries (0 = never give up). Doubling stops at 30 s. */
export function reconnectPolicy(initialDelayMs: number, retries: number): ReconnectPolicy {
  return {
    initialDelayMs,
    maxDelayMs: Math.max(initialDelayMs, DEFAULT_RECONNECT.maxDelayMs),
    maxRetries: retries > 0 ? retries : Number.POSITIVE_INFINITY,
  };
}
