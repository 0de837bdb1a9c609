/**
 * What every target driver does. `probe` only reads (reachable, logged in,
 * current state); `act` changes the device; `verify` checks that an op took
 * effect, without acting. Drivers get their secrets resolved by the caller and
 * never put them in an error message.
 */
import type { Op } from '../policy/spec';

export type PowerState = 'on' | 'off' | 'unknown';

export interface ProbeResult {
  reachable: boolean;
  authenticated: boolean;
  state: PowerState;
  /** One line for people: what was found. Never a secret. */
  detail: string;
  /** Power the target draws now, where the device meters it (smart plugs). */
  powerW?: number;
}

export interface ActContext {
  timeoutMs: number;
  /** The hard variant (on_timeout: force): stop instead of shutdown where the device has one. */
  force: boolean;
  signal: AbortSignal;
}

export interface ActResult {
  /** One line for people: what the device answered. */
  detail: string;
}

export interface Driver {
  readonly target: string;
  probe(context: Omit<ActContext, 'force'>): Promise<ProbeResult>;
  act(op: Op, context: ActContext): Promise<ActResult>;
  /** True once the op's effect is seen on the device (waiting up to the timeout); false when it is not. */
  verify(op: Op, context: Omit<ActContext, 'force'>): Promise<boolean>;
}

/** Resolves a `secretRef` to its value (the store's SecretStore.get in the hub). */
export type SecretResolver = (name: string) => Promise<string>;

/** Rejects after `ms` (or when `signal` aborts) with `onTimeout()`; clears its timer either way. */
export async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error, signal?: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let abort: (() => void) | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    abort = () => reject(signal?.reason instanceof Error ? signal.reason : onTimeout());
    signal?.addEventListener('abort', abort, { once: true });
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
    if (abort) signal?.removeEventListener('abort', abort);
  }
}

/** Resolves after `ms`, or rejects early when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    // The listener goes with the timer: a long verification loop must not pile them up on one signal.
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
