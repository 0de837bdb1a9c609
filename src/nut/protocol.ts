import { NutAuthError, NutProtocolError } from '../errors';

/**
 * NUT's line protocol, client side (PROTOCOLS.md §1.1–1.2): arguments split on
 * whitespace, `"…"` keeps spaces, a backslash makes the next character literal;
 * upsd escapes `\`, `"` and `#` in what it sends.
 */

/** Words that need no quoting: anything else is quoted and escaped. */
const BARE_WORD = /^[A-Za-z0-9._:/@+,-]+$/;

/** Encodes one argument for a request line. Refuses what upsd would silently drop or split. */
export function encodeArgument(value: string): string {
  if (/[^\x20-\x7e]/.test(value)) {
    throw new NutProtocolError('INVALID-ARGUMENT', 'a NUT argument may hold only printable ASCII (upsd drops anything else)');
  }
  if (value.length > 0 && BARE_WORD.test(value)) return value;
  return `"${value.replace(/[\\"#]/g, (char) => `\\${char}`)}"`;
}

export function requestLine(words: readonly string[]): string {
  return words.map(encodeArgument).join(' ');
}

/** Splits a reply line into words, undoing quotes and escapes. */
export function tokenizeReply(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i] as string;
    if (char === '\\') {
      i += 1;
      if (i >= line.length) throw new NutProtocolError('PARSE', `reply ends inside an escape: ${preview(line)}`);
      current += line[i];
      inWord = true;
    } else if (char === '"') {
      quoted = !quoted;
      inWord = true;
    } else if ((char === ' ' || char === '\t') && !quoted) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quoted) throw new NutProtocolError('PARSE', `reply has an unterminated quote: ${preview(line)}`);
  if (inWord) words.push(current);
  return words;
}

/** A short, printable form of a line for error messages (garbage can be long or binary). */
export function preview(line: string): string {
  const printable = line.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(printable.length > 80 ? `${printable.slice(0, 80)}…` : printable);
}

const AUTH_CODES = new Set([
  'ACCESS-DENIED', 'USERNAME-REQUIRED', 'PASSWORD-REQUIRED', 'INVALID-PASSWORD', 'INVALID-USERNAME',
  'ALREADY-SET-USERNAME', 'ALREADY-SET-PASSWORD',
]);

/** Turns an `ERR <CODE> [extra]` line into the typed error for that code; undefined for any other line. */
export function errorFromReply(line: string, context: string): NutAuthError | NutProtocolError | undefined {
  if (!line.startsWith('ERR ') && line !== 'ERR') return undefined;
  const [, code = 'UNKNOWN', ...extra] = line.split(' ');
  const detail = extra.length > 0 ? ` (${extra.join(' ')})` : '';
  const message = `${context}: ERR ${code}${detail}${hintFor(code)}`;
  return AUTH_CODES.has(code) ? new NutAuthError(code, message) : new NutProtocolError(code, message);
}

function hintFor(code: string): string {
  switch (code) {
    case 'ACCESS-DENIED':
      return ': check the username and password, and that upsd.users gives this user an upsmon role';
    case 'USERNAME-REQUIRED':
    case 'PASSWORD-REQUIRED':
      return ': this command needs credentials (set a username and password for this server)';
    case 'UNKNOWN-UPS':
      return ': no UPS of that name on this server (see LIST UPS)';
    case 'DRIVER-NOT-CONNECTED':
      return ': upsd has no connection to the UPS driver';
    case 'DATA-STALE':
      return ': the driver has not updated the UPS data within MAXAGE';
    default:
      return '';
  }
}

/**
 * Splits a byte stream into lines on `\n` only, whatever the TCP chunking; a
 * line longer than the limit is garbage, not something to buffer forever.
 */
export class LineFramer {
  private buffer = '';

  constructor(private readonly maxLineLength = 64 * 1024) {}

  push(chunk: string): string[] {
    this.buffer += chunk;
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    if (this.buffer.length > this.maxLineLength) {
      this.buffer = '';
      throw new NutProtocolError('PARSE', `a reply line exceeded ${this.maxLineLength} characters without a newline`);
    }
    return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  }
}
