import { strict as assert } from 'node:assert';
import { type ConfStatement, readAssignment, tokenizeNutConf } from '../../../../src/nut/conf/tokenizer';

const texts = (statement: ConfStatement | undefined): string[] => (statement?.words ?? []).map((w) => w.text);
const allTexts = (text: string): string[][] => tokenizeNutConf(text).statements.map(texts);

describe('NUT config tokenizer', () => {
  it('splits words on whitespace and keeps the line and column of each', () => {
    const { statements, issues } = tokenizeNutConf('MAXAGE 15\n\n  LISTEN\t127.0.0.1   3493\n');
    assert.deepEqual(issues, []);
    assert.deepEqual(statements.map(texts), [['MAXAGE', '15'], ['LISTEN', '127.0.0.1', '3493']]);
    assert.deepEqual(statements.map((s) => s.line), [1, 3]);
    assert.deepEqual(statements[1]?.words.map((w) => [w.line, w.column]), [[3, 3], [3, 10], [3, 22]]);
  });

  it('keeps spaces inside quotes, ends a quoted word at the closing quote, and keeps an empty quoted word', () => {
    assert.deepEqual(allTexts('desc = "APC Back-UPS 1500"\n'), [['desc', '=', 'APC Back-UPS 1500']]);
    assert.deepEqual(allTexts('"abc"def\n'), [['abc', 'def']]);
    const [statement] = tokenizeNutConf('password = ""\n').statements;
    assert.deepEqual(texts(statement), ['password', '=', '']);
    assert.equal(statement?.words[2]?.quoted, true);
  });

  it('makes the character after a backslash literal outside quotes', () => {
    assert.deepEqual(allTexts('embedded\\ space a\\\\b \\#notacomment \\"q\\"\n'), [['embedded space', 'a\\b', '#notacomment', '"q"']]);
  });

  it('reads \\" and \\# inside quotes in descriptions and passwords', () => {
    const { statements, issues } = tokenizeNutConf('desc = "Test \\"UPS\\" \\#1"\npassword = "se\\#cret \\"x\\""\npassword = se\\#cret\n');
    assert.deepEqual(issues, []);
    assert.deepEqual(statements.map(texts), [
      ['desc', '=', 'Test "UPS" #1'],
      ['password', '=', 'se#cret "x"'],
      ['password', '=', 'se#cret'],
    ]);
  });

  it('joins the next line after a trailing backslash and keeps the starting line number', () => {
    const text = 'NOTIFYCMD /usr/bin/a\\\nb\nMAXAGE \\\n15\n# comment\nMAXCONN 10\n';
    const { statements, issues } = tokenizeNutConf(text);
    assert.deepEqual(issues, []);
    assert.deepEqual(statements.map(texts), [['NOTIFYCMD', '/usr/bin/ab'], ['MAXAGE', '15'], ['MAXCONN', '10']]);
    assert.deepEqual(statements.map((s) => s.line), [1, 3, 6]);
  });

  it('joins lines inside quotes after a backslash without a warning', () => {
    const { statements, issues } = tokenizeNutConf('desc = "Office UPS, \\\nnetwork card"\nport = auto\n');
    assert.deepEqual(issues, []);
    assert.deepEqual(statements.map(texts), [['desc', '=', 'Office UPS, network card'], ['port', '=', 'auto']]);
    assert.deepEqual(statements.map((s) => s.line), [1, 3]);
  });

  it('gives NUT an empty word for " \\" followed by an indented line, and says so', () => {
    const { statements, issues } = tokenizeNutConf('MONITOR ups@localhost 1 \\\n    monuser pw primary\n');
    assert.deepEqual(texts(statements[0]), ['MONITOR', 'ups@localhost', '1', '', 'monuser', 'pw', 'primary']);
    assert.equal(issues.length, 1);
    assert.deepEqual([issues[0]?.line, issues[0]?.column, issues[0]?.severity], [1, 25, 'warning']);
    assert.match(issues[0]?.message ?? '', /empty extra word/);
  });

  it('continues an open quote onto the next line, dropping the line break, and warns', () => {
    const { statements, issues } = tokenizeNutConf('desc = "first\nsecond"\nport = auto\n');
    assert.deepEqual(statements.map(texts), [['desc', '=', 'firstsecond'], ['port', '=', 'auto']]);
    assert.deepEqual(statements.map((s) => s.line), [1, 3]);
    assert.equal(issues.length, 1);
    assert.deepEqual([issues[0]?.line, issues[0]?.severity], [1, 'warning']);
    assert.match(issues[0]?.message ?? '', /runs on to line 2.*missing closing quote/);
  });

  it('treats # outside quotes as a comment, also right after a word (with a warning)', () => {
    assert.deepEqual(allTexts('# a comment\nport = auto # trailing\n   # indented comment\n'), [['port', '=', 'auto']]);
    const { statements, issues } = tokenizeNutConf('password = pass#word\n');
    assert.deepEqual(statements.map(texts), [['password', '=', 'pass']]);
    assert.equal(issues.length, 1);
    assert.deepEqual([issues[0]?.line, issues[0]?.column, issues[0]?.severity], [1, 16, 'warning']);
    assert.match(issues[0]?.message ?? '', /write it as `\\#`/);
    assert.doesNotMatch(issues[0]?.message ?? '', /pass/);
  });

  it('reports an unescaped # inside quotes as an error at its column, keeps the value, and goes on', () => {
    const { statements, issues } = tokenizeNutConf('[rack]\ndesc = "Rack #1"\nport = auto\n');
    assert.deepEqual(statements.map(texts), [['[rack]'], ['desc', '=', 'Rack #1'], ['port', '=', 'auto']]);
    assert.deepEqual(issues.map((i) => [i.line, i.column, i.severity]), [[2, 14, 'error']]);
    assert.match(issues[0]?.message ?? '', /unescaped `#` inside quotes.*`\\#`/);
  });

  it('makes = a word of its own', () => {
    assert.deepEqual(allTexts('driver=usbhid-ups\n'), [['driver', '=', 'usbhid-ups']]);
    assert.deepEqual(allTexts('driver = usbhid-ups\n'), [['driver', '=', 'usbhid-ups']]);
    assert.deepEqual(allTexts('a==b\n'), [['a', '=', '=', 'b']]);
    assert.deepEqual(allTexts('=x\n'), [['=', 'x']]);
    assert.deepEqual(allTexts('k = "a=b" c\\=d\n'), [['k', '=', 'a=b', 'c=d']]);
  });

  it('recognises [section] headers and reports malformed ones', () => {
    const { statements, issues } = tokenizeNutConf('[rack]\n[my ups]\n[]\n[tower] extra\n');
    assert.deepEqual(statements.map((s) => (s.kind === 'section' ? `section:${s.name}` : 'directive')), [
      'section:rack', 'directive', 'section:', 'section:tower',
    ]);
    assert.deepEqual(issues.map((i) => [i.line, i.severity]), [[2, 'error'], [3, 'error'], [4, 'warning']]);
    assert.match(issues[0]?.message ?? '', /cannot contain spaces/);
    assert.match(issues[1]?.message ?? '', /empty section name/);
  });

  it('reports a quote that is never closed', () => {
    const { statements, issues } = tokenizeNutConf('[rack]\n\tdesc = "Rack one\n[tower]\n\tport = auto\n');
    assert.equal(statements.length, 2);
    assert.deepEqual(issues.map((i) => [i.line, i.column, i.severity]), [[2, 9, 'error']]);
    assert.match(issues[0]?.message ?? '', /never closed/);
  });

  it('warns about a one-word last line without a newline, which NUT drops', () => {
    const { statements, issues } = tokenizeNutConf('port = auto\nignorelb');
    assert.deepEqual(statements.map(texts), [['port', '=', 'auto'], ['ignorelb']]);
    assert.deepEqual(issues.map((i) => [i.line, i.severity]), [[2, 'warning']]);
    assert.deepEqual(tokenizeNutConf('port = auto\nignorelb\n').issues, []);
    assert.deepEqual(tokenizeNutConf('port = auto').issues, []);
  });

  it('drops characters outside printable ASCII as NUT does, with one warning per statement', () => {
    const { statements, issues } = tokenizeNutConf('desc = "Caf\u00e9\tUPS \u00e9"\n');
    assert.deepEqual(texts(statements[0]), ['desc', '=', 'CafUPS ']);
    assert.deepEqual(issues.map((i) => [i.line, i.severity]), [[1, 'warning']]);
  });

  it('reads CRLF files', () => {
    assert.deepEqual(allTexts('[rack]\r\ndriver = usbhid-ups\r\nport = auto\r\n'), [['[rack]'], ['driver', '=', 'usbhid-ups'], ['port', '=', 'auto']]);
  });

  describe('readAssignment', () => {
    const read = (text: string) => readAssignment(tokenizeNutConf(`${text}\n`).statements[0]?.words ?? []);

    it('reads key = value, key=value, quoted "key=value" and flags', () => {
      assert.deepEqual(read('driver = usbhid-ups'), { kind: 'assignment', key: 'driver', values: ['usbhid-ups'], line: 1, column: 1 });
      assert.deepEqual(read('actions=SET FSD'), { kind: 'assignment', key: 'actions', values: ['SET', 'FSD'], line: 1, column: 1 });
      assert.deepEqual(read('"desc=a b"'), { kind: 'assignment', key: 'desc', values: ['a b'], line: 1, column: 1 });
      assert.deepEqual(read('ignorelb'), { kind: 'flag', key: 'ignorelb', line: 1, column: 1 });
    });

    it('says what is wrong with a line NUT ignores', () => {
      assert.deepEqual(read('driver usbhid-ups'), { kind: 'malformed', key: 'driver', problem: 'missing-equals', line: 1, column: 1 });
      assert.deepEqual(read('desc ='), { kind: 'malformed', key: 'desc', problem: 'missing-value', line: 1, column: 1 });
      assert.equal(readAssignment([]), undefined);
    });
  });
});
