/**
 * How upsd writes a value inside double quotes: a backslash before every `\`, `"`
 * and `#` (its pconf_encode). Written here on purpose, not shared with the client:
 * the simulator is the client's test oracle.
 */
export function escapeValue(value: string): string {
  return value.replace(/[\\"#]/g, (char) => `\\${char}`);
}

/** A value as upsd sends it: escaped and wrapped in double quotes. */
export function quoted(value: string): string {
  return `"${escapeValue(value)}"`;
}
