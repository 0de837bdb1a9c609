/**
 * A one-line progress bar on a terminal: rows done of the total, rows per
 * second and time left. Silent when stderr is not a TTY or output is JSON, so
 * scripts and logs see only the result.
 */
export interface Progress {
  update(label: string, done: number, total: number): void;
  finish(): void;
}

const REDRAW_MS = 100;

export function progressBar(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled || !stream.isTTY) return { update: () => undefined, finish: () => undefined };
  const started = Date.now();
  let drawn = 0;
  let shown = false;
  return {
    update(label, done, total) {
      const now = Date.now();
      if (now - drawn < REDRAW_MS && done < total) return;
      drawn = now;
      shown = true;
      const seconds = Math.max((now - started) / 1000, 0.001);
      const rate = done / seconds;
      const share = total > 0 ? Math.min(1, done / total) : 1;
      const width = 24;
      const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.');
      const eta = rate > 0 && total > done ? `${Math.ceil((total - done) / rate)}s` : '0s';
      stream.write(`\r[${bar}] ${(share * 100).toFixed(0).padStart(3)}% ${label.padEnd(16).slice(0, 16)} ${done.toLocaleString('en')}/${total.toLocaleString('en')} rows  ${Math.round(rate).toLocaleString('en')} rows/s  ETA ${eta}   `);
    },
    finish() {
      if (shown) stream.write('\n');
    },
  };
}
