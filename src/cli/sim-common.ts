import { UsageError } from '../errors';

/** For tests: stop a simulator without a signal, and capture what it would print. */
export interface SimControl {
  stop?: AbortSignal;
  print?: (line: string) => void;
}

/** `--port`: a TCP port (0 picks a free one), or `fallback` when not given. */
export function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`--port must be a TCP port number (0-65535), got "${text}"`);
  return port;
}

/** Resolves on SIGINT, SIGTERM or the test's abort signal, whichever comes first. */
export function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (signal?.aborted) done();
    else signal?.addEventListener('abort', done);
  });
}
