import assert from 'node:assert/strict';
import { MAX_ARGS, MAX_WORD_LENGTH, RequestParser } from '../../../../src/nut/simulator/parse-request';

/** Feeds each chunk in turn and returns every completed line. */
function parse(...chunks: (string | Buffer)[]): string[][] {
  const parser = new RequestParser();
  return chunks.flatMap((chunk) => parser.feed(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk).lines);
}

describe('NUT simulator request parser', () => {
  it('splits words on any whitespace and ignores a trailing CR', () => {
    assert.deepEqual(parse('GET  VAR\tups ups.status\r\n'), [['GET', 'VAR', 'ups', 'ups.status']]);
  });

  it('keeps spaces inside double quotes and makes the character after a backslash literal', () => {
    assert.deepEqual(parse('SET VAR ups ups.id "a b"\n'), [['SET', 'VAR', 'ups', 'ups.id', 'a b']]);
    assert.deepEqual(parse('PASSWORD "se\\"c\\\\r\\#et"\n'), [['PASSWORD', 'se"c\\r#et']]);
    assert.deepEqual(parse('PASSWORD se\\#cret a\\ b\n'), [['PASSWORD', 'se#cret', 'a b']]);
  });

  it('reads "" as an empty word, a quote inside a word as a character, and a closing quote as the end of a word', () => {
    assert.deepEqual(parse('X "" y\n'), [['X', '', 'y']]);
    assert.deepEqual(parse('X ab"cd"\n'), [['X', 'ab"cd"']]);
    assert.deepEqual(parse('X "ab"cd\n'), [['X', 'ab', 'cd']]);
  });

  it('treats an unquoted # as the start of a comment', () => {
    assert.deepEqual(parse('GET VAR a#b c\n'), [['GET', 'VAR', 'a']]);
    assert.deepEqual(parse('# only a comment\n'), [[]]);
  });

  it('makes an unquoted = a word of its own', () => {
    assert.deepEqual(parse('X a=b = "c=d"\n'), [['X', 'a', '=', 'b', '=', 'c=d']]);
  });

  it('stops at a # inside quotes and drops the rest of that chunk, then parses the next chunk afresh', () => {
    const parser = new RequestParser();
    const first = parser.feed(Buffer.from('VER\nGET VAR "a#b" x\nHELP\n'));
    assert.deepEqual(first.lines, [['VER']]);
    assert.match(first.parseError ?? '', /#/);
    assert.deepEqual(parser.feed(Buffer.from('HELP\n')).lines, [['HELP']]);
    // what came before the error in the same word is gone too
    assert.deepEqual(parse('"V#', 'ER\n'), [['ER']]);
  });

  it('discards bytes outside 0x20-0x7f but keeps 0x7f', () => {
    assert.deepEqual(parse(Buffer.from([0x58, 0x20, 0x61, 0xe9, 0x01, 0x62, 0x7f, 0x0a])), [['X', 'ab\x7f']]);
  });

  it('joins lines on a backslash-newline and does not end a line inside quotes', () => {
    assert.deepEqual(parse('VER\\\nHELP\n'), [['VERHELP']]);
    assert.deepEqual(parse('X "a\nb" c\n'), [['X', 'ab', 'c']]);
  });

  it('completes requests split across chunks and several requests in one chunk', () => {
    assert.deepEqual(parse('GE', 'T VA', 'R ups x\nVER\nHE', 'LP\n'), [['GET', 'VAR', 'ups', 'x'], ['VER'], ['HELP']]);
  });

  it('reports an empty line as an empty request', () => {
    assert.deepEqual(parse('\n  \n'), [[], []]);
  });

  it(`keeps at most ${MAX_ARGS} words and ${MAX_WORD_LENGTH} characters per word`, () => {
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`);
    const [line] = parse(`${words.join(' ')}\n`);
    assert.deepEqual(line, words.slice(0, MAX_ARGS));
    const [long] = parse(`X ${'y'.repeat(600)} z\n`);
    assert.deepEqual(long, ['X', 'y'.repeat(MAX_WORD_LENGTH), 'z']);
  });
});
