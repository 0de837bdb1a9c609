/** Small helpers shared by the benchmarks: order statistics, formatting, a cross-process clock, a free port. */
import * as net from 'node:net';

/** The house median (as bench/store): the upper middle of the sorted values. */
export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Nearest-rank percentile (p in 0..1): the smallest value with at least p of the samples at or below it. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

export const fixed = (value: number, digits: number, width: number): string => value.toFixed(digits).padStart(width);

/**
 * Wall-clock milliseconds with sub-millisecond resolution. Comparable across the
 * threads and processes of one machine: each process's timeOrigin is the same
 * system clock read at its start, and performance.now() is monotonic from there.
 */
export const wallMs = (): number => performance.timeOrigin + performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');
