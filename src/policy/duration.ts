/**
 * Durations as written in rules: `90s`, `5m`, `1h30m`, `250ms`, `0s`.
 * Units descend (h, m, s, ms), each at most once; a bare number is refused
 * so that `30` cannot silently mean seconds in one place and minutes in another.
 */
export const DURATION_PATTERN = '^(?=\\d)(\\d+h)?(\\d+m(?!s))?(\\d+s)?(\\d+ms)?$';

const DURATION = new RegExp(DURATION_PATTERN);
const UNIT_MS = [3_600_000, 60_000, 1_000, 1];

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  let total = 0;
  for (let index = 0; index < UNIT_MS.length; index += 1) {
    const part = match[index + 1];
    if (part !== undefined) total += Number.parseInt(part, 10) * UNIT_MS[index]!;
  }
  return total;
}

const known = new Map<string, number>();

/** Milliseconds of a duration the schema has already accepted (remembered: the engine asks on every reading). */
export function durationMs(text: string): number {
  let ms = known.get(text);
  if (ms !== undefined) return ms;
  ms = parseDuration(text);
  if (ms === undefined) throw new TypeError(`not a duration: ${text}`);
  if (known.size < 10_000) known.set(text, ms);
  return ms;
}

/** `1h30m`, `90s`, `0s`: the shortest spelling of a whole number of milliseconds. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1_000], ['ms', 1]] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join('');
}
