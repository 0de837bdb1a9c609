/**
 * NUT's configuration syntax, as common/parseconf.c reads it, for every NUT
 * config file: whitespace-separated words, `"…"` keeps spaces, `\` makes the
 * next character literal (inside or outside quotes), a `\` before the newline
 * joins the next line, an open quote runs on into the next line, `#` outside
 * quotes starts a comment, and `=` is a word of its own.
 *
 * Problems are collected as issues (never thrown) so one bad line does not
 * hide the others. Issue messages never quote the text of a word: the word
 * may be a password.
 */

export type ConfSeverity = 'error' | 'warning';

/** A problem at a place in one file; the file name is added by the caller. */
export interface ConfIssue {
  /** 1-based; 0 means the file as a whole. */
  line: number;
  /** 1-based; 0 when no column applies. */
  column: number;
  severity: ConfSeverity;
  message: string;
}

export interface ConfWord {
  /** The word as NUT sees it: quotes removed, escapes resolved. */
  text: string;
  line: number;
  column: number;
  /** Written as `"…"`, so it is a value even when it reads `=` or `[x]`. */
  quoted: boolean;
}

/** One logical line: a `[section]` header or a directive, with the line it starts on. */
export type ConfStatement =
  | { kind: 'section'; name: string; line: number; column: number; words: ConfWord[] }
  | { kind: 'directive'; line: number; column: number; words: ConfWord[] };

export interface TokenizedConf {
  statements: ConfStatement[];
  issues: ConfIssue[];
}

type State = 'findWordStart' | 'collect' | 'collectLiteral' | 'quote' | 'quoteLiteral' | 'comment';

interface PendingWord {
  chars: string[];
  line: number;
  column: number;
  quoted: boolean;
}

const isSpace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\v' || ch === '\f';

/** parseconf's addchar() keeps only 0x20–0x7f and drops everything else without a word. */
const nutKeepsCharacter = (ch: string): boolean => {
  const code = ch.charCodeAt(0);
  return code >= 0x20 && code <= 0x7f && ch.length === 1;
};

class Tokenizer {
  private readonly statements: ConfStatement[] = [];
  private readonly issues: ConfIssue[] = [];
  private state: State = 'findWordStart';
  private words: ConfWord[] = [];
  private word: PendingWord | undefined;
  private line = 1;
  private column = 0;
  /** One warning per statement for dropped characters is enough. */
  private droppedCharacterReported = false;
  private quoteSpansLines = false;
  private droppedCharacter: ConfIssue | undefined;

  run(text: string): TokenizedConf {
    for (const ch of text) {
      this.column += 1;
      this.step(ch);
      if (ch === '\n') {
        this.line += 1;
        this.column = 0;
      }
    }
    this.finishFile(text);
    // Some issues are only known when a word ends: report them in file order.
    const issues = [...this.issues].sort((a, b) => a.line - b.line || a.column - b.column);
    return { statements: this.statements, issues };
  }

  private step(ch: string): void {
    switch (this.state) {
      case 'findWordStart':
        return this.findWordStart(ch);
      case 'collect':
        return this.collect(ch);
      case 'collectLiteral':
        // `\` + newline joins the next physical line onto this word.
        if (ch !== '\n') this.add(ch);
        this.state = 'collect';
        return;
      case 'quote':
        return this.quote(ch);
      case 'quoteLiteral':
        // `\` + newline inside quotes is a deliberate continuation: no warning.
        if (ch !== '\n') this.add(ch);
        this.state = 'quote';
        return;
      case 'comment':
        if (ch === '\n') this.endStatement();
        return;
    }
  }

  private findWordStart(ch: string): void {
    if (ch === '\n') return this.endStatement();
    if (ch === '#') {
      this.state = 'comment';
      return;
    }
    if (isSpace(ch)) return;
    if (ch === '\\') {
      this.startWord(false);
      this.state = 'collectLiteral';
      return;
    }
    if (ch === '"') {
      this.startWord(true);
      this.quoteSpansLines = false;
      this.state = 'quote';
      return;
    }
    this.startWord(false);
    this.add(ch);
    if (ch === '=') {
      this.endWord();
      return;
    }
    this.state = 'collect';
  }

  private collect(ch: string): void {
    if (ch === '#') {
      this.issue('warning', 'a `#` right after a word starts a comment, so the rest of the line is ignored: ' +
        'if the `#` belongs to the value, write it as `\\#`');
      this.endWord();
      this.state = 'comment';
      return;
    }
    if (ch === '\n') {
      this.endWord();
      return this.endStatement();
    }
    if (isSpace(ch)) {
      this.endWord();
      this.state = 'findWordStart';
      return;
    }
    if (ch === '=') {
      // `key=value`: the word ends and `=` is a word of its own.
      this.endWord();
      this.startWord(false);
      this.add(ch);
      this.endWord();
      this.state = 'findWordStart';
      return;
    }
    if (ch === '\\') {
      this.state = 'collectLiteral';
      return;
    }
    this.add(ch);
  }

  private quote(ch: string): void {
    if (ch === '"') {
      this.endWord();
      this.state = 'findWordStart';
      return;
    }
    if (ch === '\\') {
      this.state = 'quoteLiteral';
      return;
    }
    if (ch === '#') {
      // NUT 2.8.0 stops with a parse error here (the driver or daemon exits);
      // keep the character so later checks see the intended value.
      this.issue('error', 'unescaped `#` inside quotes: NUT stops reading the file with a parse error here; write it as `\\#`');
    }
    if (ch === '\n') {
      this.quoteSpansLines = true;
      return;
    }
    this.add(ch);
  }

  private startWord(quoted: boolean): void {
    this.word = { chars: [], line: this.line, column: this.column, quoted };
  }

  private add(ch: string): void {
    if (this.word === undefined) return;
    if (nutKeepsCharacter(ch)) {
      this.word.chars.push(ch);
      return;
    }
    if (!this.droppedCharacterReported && this.droppedCharacter === undefined) {
      // Held until the word ends: inside a quote that ran on over lines, that is the problem to report.
      this.droppedCharacter = {
        line: this.line, column: this.column, severity: 'warning',
        message: 'NUT drops characters outside printable ASCII (tabs inside quotes, accented letters, emoji…): ' +
          'the value NUT uses differs from what the file shows; use plain ASCII',
      };
    }
  }

  private endWord(unterminated = false): void {
    const word = this.word;
    if (word === undefined) return;
    this.word = undefined;
    const text = word.chars.join('');
    if (text === '' && !word.quoted) {
      this.issueAt(word.line, word.column, 'warning',
        'a ` \\` at the end of a line followed by an indented line gives NUT an empty extra word here: ' +
        'remove the space before the `\\` or the indentation of the next line');
    }
    const ranOn = word.quoted && (this.quoteSpansLines || unterminated);
    if (word.quoted && this.quoteSpansLines && !unterminated) {
      this.issueAt(word.line, word.column, 'warning',
        `this quoted value runs on to line ${this.line} (NUT drops the line breaks): check for a missing closing quote`);
    }
    if (this.droppedCharacter !== undefined && !ranOn) {
      this.issues.push(this.droppedCharacter);
      this.droppedCharacterReported = true;
    }
    this.droppedCharacter = undefined;
    this.quoteSpansLines = false;
    this.words.push({ text, line: word.line, column: word.column, quoted: word.quoted });
  }

  private endStatement(): void {
    this.state = 'findWordStart';
    const words = this.words;
    this.words = [];
    this.droppedCharacterReported = false;
    const first = words[0];
    if (first === undefined) return;
    const name = sectionName(first);
    if (name !== undefined) {
      if (name === '') this.issueAt(first.line, first.column, 'error', 'empty section name `[]`: write the name between the brackets');
      if (words.length > 1) {
        this.issueAt(first.line, first.column, 'warning', 'words after a section header are ignored: section names cannot contain spaces');
      }
      this.statements.push({ kind: 'section', name, line: first.line, column: first.column, words });
      return;
    }
    if (first.text.startsWith('[') && !first.quoted) {
      this.issueAt(first.line, first.column, 'error',
        'a section header must be one word `[name]` with its closing `]`: section names cannot contain spaces');
    }
    this.statements.push({ kind: 'directive', line: first.line, column: first.column, words });
  }

  private finishFile(text: string): void {
    const openQuote = this.state === 'quote' || this.state === 'quoteLiteral';
    const pending = this.word;
    if (openQuote) {
      this.issueAt(pending?.line ?? this.line, pending?.column ?? 0, 'error',
        'this quote is never closed: everything up to the end of the file became one value; add the closing `"`');
    } else if (pending !== undefined && this.words.length === 0 && !text.endsWith('\n')) {
      // At end of file parseconf keeps a line only if it already holds a finished word.
      this.issueAt(pending.line, pending.column, 'warning',
        'NUT ignores a one-word last line that has no newline after it: end the file with a newline');
    }
    this.endWord(openQuote);
    this.endStatement();
  }

  private issue(severity: ConfSeverity, message: string): void {
    this.issueAt(this.line, this.column, severity, message);
  }

  private issueAt(line: number, column: number, severity: ConfSeverity, message: string): void {
    this.issues.push({ line, column, severity, message });
  }
}

/** The name inside a `[name]` header word, as NUT's parsers recognise it; undefined for any other word. */
export function sectionName(word: ConfWord): string | undefined {
  const { text } = word;
  if (text.length >= 2 && text.startsWith('[') && text.endsWith(']')) return text.slice(1, -1);
  return undefined;
}

export function tokenizeNutConf(text: string): TokenizedConf {
  return new Tokenizer().run(text);
}

/** How NUT reads a statement of an ini-style file (ups.conf, upsd.users). */
export type ConfAssignment =
  /** `key = v1 v2…` or `"key=v1" v2…`: values in order (ups.conf uses the first, upsd.users all). */
  | { kind: 'assignment'; key: string; values: string[]; line: number; column: number }
  /** A lone word, e.g. `ignorelb`. */
  | { kind: 'flag'; key: string; line: number; column: number }
  /** `key value` without `=`, or `key =` with nothing after it: NUT silently ignores the line. */
  | { kind: 'malformed'; key: string; problem: 'missing-equals' | 'missing-value'; line: number; column: number };

export function readAssignment(words: readonly ConfWord[]): ConfAssignment | undefined {
  const [first, second] = words;
  if (first === undefined) return undefined;
  const { line, column } = first;
  const equals = first.text.indexOf('=');
  // A word holding `=` only arises quoted or escaped; NUT still splits it there.
  if (equals >= 0) {
    return { kind: 'assignment', key: first.text.slice(0, equals), values: [first.text.slice(equals + 1), ...words.slice(1).map((w) => w.text)], line, column };
  }
  if (second === undefined) return { kind: 'flag', key: first.text, line, column };
  if (second.text !== '=') return { kind: 'malformed', key: first.text, problem: 'missing-equals', line, column };
  if (words.length < 3) return { kind: 'malformed', key: first.text, problem: 'missing-value', line, column };
  return { kind: 'assignment', key: first.text, values: words.slice(2).map((w) => w.text), line, column };
}
