import assert from 'node:assert/strict';
import { escapeValue, quoted } from '../../../../src/nut/simulator/escape';

describe('NUT simulator value escaping', () => {
  it('puts a backslash before \\, " and # and nothing else', () => {
    assert.equal(escapeValue('plain text 1.0'), 'plain text 1.0');
    assert.equal(escapeValue('a\\b"c#d'), 'a\\\\b\\"c\\#d');
  });

  it('wraps the escaped value in double quotes', () => {
    assert.equal(quoted('Test "UPS" #1'), '"Test \\"UPS\\" \\#1"');
    assert.equal(quoted(''), '""');
  });
});
