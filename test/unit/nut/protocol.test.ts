import { strict as assert } from 'node:assert';
import { NutAuthError, NutProtocolError } from '../../../src/errors';
import { encodeArgument, errorFromReply, LineFramer, requestLine, tokenizeReply } from '../../../src/nut/protocol';

describe('NUT protocol: quoting, escaping, framing', () => {
  it('leaves plain words bare and quotes everything else, escaping \\ " and #', () => {
    assert.equal(encodeArgument('battery.charge'), 'battery.charge');
    assert.equal(encodeArgument('two words'), '"two words"');
    assert.equal(encodeArgument(''), '""');
    assert.equal(encodeArgument('se#cret'), '"se\\#cret"');
    assert.equal(encodeArgument('a "q" \\ b'), '"a \\"q\\" \\\\ b"');
    assert.equal(requestLine(['SET', 'VAR', 'ups', 'ups.id', 'rack #2']), 'SET VAR ups ups.id "rack \\#2"');
  });

  it('refuses characters upsd would drop or that would break the line', () => {
    for (const bad of ['naïve', 'a\nb', 'tab\there', '\u0000']) {
      assert.throws(() => encodeArgument(bad), (e: unknown) => e instanceof NutProtocolError && e.nutCode === 'INVALID-ARGUMENT');
    }
  });

  it('tokenizes replies, undoing quotes and escapes', () => {
    assert.deepEqual(tokenizeReply('VAR ups ups.status "OB DISCHRG"'), ['VAR', 'ups', 'ups.status', 'OB DISCHRG']);
    assert.deepEqual(tokenizeReply('UPS dummy "Test \\"UPS\\" \\#1"'), ['UPS', 'dummy', 'Test "UPS" #1']);
    assert.deepEqual(tokenizeReply('VAR ups x ""'), ['VAR', 'ups', 'x', '']);
    assert.deepEqual(tokenizeReply('RANGE u v "1" "10"'), ['RANGE', 'u', 'v', '1', '10']);
    assert.deepEqual(tokenizeReply('  spaced   out  '), ['spaced', 'out']);
    assert.deepEqual(tokenizeReply('back\\\\slash'), ['back\\slash']);
  });

  it('round-trips any printable value through encode and tokenize', () => {
    const samples = ['', ' ', '#', '"', '\\', 'a b#c"d\\e', '\\"#', 'ends with \\'];
    for (const value of samples) assert.deepEqual(tokenizeReply(`VAR u v ${encodeArgument(value)}`), ['VAR', 'u', 'v', value], value);
  });

  it('rejects unterminated quotes and dangling escapes with a typed error', () => {
    assert.throws(() => tokenizeReply('VAR u v "open'), (e: unknown) => e instanceof NutProtocolError && e.nutCode === 'PARSE');
    assert.throws(() => tokenizeReply('VAR u v end\\'), NutProtocolError);
  });

  it('frames on \\n only, whatever the chunking, and strips \\r', () => {
    const framer = new LineFramer();
    assert.deepEqual(framer.push('VAR ups a "1"\nVAR u'), ['VAR ups a "1"']);
    assert.deepEqual(framer.push('ps b "2"\r'), []);
    assert.deepEqual(framer.push('\nOK\nOK\n'), ['VAR ups b "2"', 'OK', 'OK']);
    const tiny = new LineFramer(16);
    assert.throws(() => tiny.push('x'.repeat(17)), NutProtocolError);
  });

  it('maps ERR codes to typed errors, keeping the code, with a hint', () => {
    const denied = errorFromReply('ERR ACCESS-DENIED', 'ctx');
    assert.ok(denied instanceof NutAuthError);
    assert.equal(denied.nutCode, 'ACCESS-DENIED');
    assert.match(denied.message, /upsmon role/);
    const stale = errorFromReply('ERR DATA-STALE', 'ctx');
    assert.ok(stale instanceof NutProtocolError && stale.nutCode === 'DATA-STALE');
    const odd = errorFromReply('ERR SOMETHING-NEW extra words', 'ctx');
    assert.ok(odd instanceof NutProtocolError && odd.nutCode === 'SOMETHING-NEW' && /extra words/.test(odd.message));
    assert.equal(errorFromReply('OK', 'ctx'), undefined);
    assert.equal(errorFromReply('ERROR-ish line', 'ctx'), undefined);
  });
});
