/**
 * The server side of the NUT line syntax, fed byte by byte like upsd's parseconf
 * state machine (pconf_char), so the simulator splits requests exactly as the real
 * upsd 2.8.0 does, corners included (checked against it on loopback):
 *
 * - words split on whitespace; `"…"` keeps spaces; `\` makes the next byte literal,
 *   inside or outside quotes; `\` before a newline joins the next line;
 * - a `"` inside a word is an ordinary character; `""` is an empty word;
 * - `#` outside quotes starts a comment; `#` inside quotes is a parse error, after
 *   which upsd drops the rest of that read;
 * - `=` outside quotes is a word of its own (`a=b` is three words);
 * - bytes outside 0x20–0x7f are discarded; a newline inside quotes does not end the line;
 * - at most 32 words per line and 512 characters per word; the excess is dropped.
 */

export const MAX_ARGS = 32;
export const MAX_WORD_LENGTH = 512;

const NEWLINE = 0x0a;

type State = 'wordStart' | 'comment' | 'quoted' | 'quotedLiteral' | 'word' | 'wordLiteral';

export interface FeedResult {
  /** Every line completed by this chunk, as argument lists (possibly empty). */
  lines: string[][];
  /** Set when the chunk hit a parse error; the rest of the chunk was dropped. */
  parseError?: string;
}

/** upsd's isspace(): space, \t, \n, \v, \f, \r. */
function isSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

export class RequestParser {
  private state: State = 'wordStart';
  private args: string[] = [];
  private word = '';

  /** Feeds one chunk as read from the socket; returns the lines it completed. */
  feed(chunk: Uint8Array): FeedResult {
    const lines: string[][] = [];
    for (const byte of chunk) {
      const outcome = this.step(byte);
      if (outcome === 'line') {
        lines.push(this.args);
        this.args = [];
      } else if (outcome === 'error') {
        this.reset();
        return { lines, parseError: 'unescaped # inside quotes' };
      }
    }
    return { lines };
  }

  private reset(): void {
    this.state = 'wordStart';
    this.args = [];
    this.word = '';
  }

  private step(byte: number): 'line' | 'error' | undefined {
    switch (this.state) {
      case 'wordStart':
        return this.atWordStart(byte);
      case 'comment':
        if (byte === NEWLINE) return this.endLine();
        return undefined;
      case 'quoted':
        if (byte === 0x22) {
          this.endWord();
          this.state = 'wordStart';
        } else if (byte === 0x5c) {
          this.state = 'quotedLiteral';
        } else if (byte === 0x23) {
          return 'error';
        } else {
          this.addChar(byte);
        }
        return undefined;
      case 'quotedLiteral':
        // an escaped newline continues the quoted word on the next line
        if (byte !== NEWLINE) this.addChar(byte);
        this.state = 'quoted';
        return undefined;
      case 'word':
        return this.inWord(byte);
      case 'wordLiteral':
        if (byte !== NEWLINE) this.addChar(byte);
        this.state = 'word';
        return undefined;
    }
  }

  private atWordStart(byte: number): 'line' | undefined {
    if (byte === NEWLINE) return this.endLine();
    if (byte === 0x23) {
      this.state = 'comment';
    } else if (isSpace(byte)) {
      // still between words
    } else if (byte === 0x5c) {
      this.state = 'wordLiteral';
    } else if (byte === 0x22) {
      this.state = 'quoted';
    } else {
      this.addChar(byte);
      if (byte === 0x3d) {
        this.endWord();
      } else {
        this.state = 'word';
      }
    }
    return undefined;
  }

  private inWord(byte: number): 'line' | undefined {
    if (byte === 0x23) {
      this.endWord();
      this.state = 'comment';
    } else if (byte === NEWLINE) {
      this.endWord();
      return this.endLine();
    } else if (isSpace(byte)) {
      this.endWord();
      this.state = 'wordStart';
    } else if (byte === 0x3d) {
      this.endWord();
      this.addChar(byte);
      this.endWord();
      this.state = 'wordStart';
    } else if (byte === 0x5c) {
      this.state = 'wordLiteral';
    } else {
      this.addChar(byte);
    }
    return undefined;
  }

  private addChar(byte: number): void {
    if (byte < 0x20 || byte > 0x7f) return;
    if (this.word.length >= MAX_WORD_LENGTH) return;
    this.word += String.fromCharCode(byte);
  }

  private endWord(): void {
    if (this.args.length < MAX_ARGS) this.args.push(this.word);
    this.word = '';
  }

  private endLine(): 'line' {
    this.state = 'wordStart';
    return 'line';
  }
}
