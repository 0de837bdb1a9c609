import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseNutBoolean, parseUpsdConf, parseWholeNumber } from '../../../../src/nut/conf/upsd-conf';

const fixture = (...parts: string[]): string => fs.readFileSync(path.join(__dirname, '../../../fixtures/nut-conf', ...parts), 'utf8');

describe('upsd.conf parser', () => {
  it('reads LISTEN lines and typed values with their lines', () => {
    const { config, issues } = parseUpsdConf(fixture('good', 'upsd.conf'));
    assert.deepEqual(issues, []);
    assert.deepEqual(config.listen, [
      { address: '127.0.0.1', port: '3493', line: 2, column: 1 },
      { address: '::1', port: '3493', line: 3, column: 1 },
    ]);
    assert.equal(config.maxAge, 15);
    assert.equal(config.maxConn, 64);
    assert.equal(config.trackingDelay, 3600);
    assert.equal(config.statePath, '/run/nut');
    assert.equal(config.allowNoDevice, true);
    assert.deepEqual(config.directives.map((d) => d.keyword), ['LISTEN', 'LISTEN', 'MAXAGE', 'MAXCONN', 'TRACKINGDELAY', 'STATEPATH', 'ALLOW_NO_DEVICE']);
  });

  it('takes LISTEN without a port, leaves bad numbers unset, and is case-sensitive', () => {
    const { config } = parseUpsdConf('LISTEN 0.0.0.0\nMAXAGE fifteen\nmaxconn 5\nCERTREQUEST 2\nDISABLE_WEAK_SSL off\n');
    assert.deepEqual(config.listen, [{ address: '0.0.0.0', line: 1, column: 1 }]);
    assert.equal(config.maxAge, undefined);
    assert.equal(config.maxConn, undefined);
    assert.equal(config.certRequest, 2);
    assert.equal(config.disableWeakSsl, false);
  });

  it('keeps the CERTIDENT password out of the structure', () => {
    const { config, secrets } = parseUpsdConf('CERTIDENT "my cert" "db pass"\n');
    assert.equal(config.certIdent, 'my cert');
    assert.deepEqual(config.directives, [{ keyword: 'CERTIDENT', args: ['my cert'], argCount: 2, line: 1, column: 1 }]);
    assert.deepEqual(secrets, ['db pass']);
    assert.equal(JSON.stringify(config).includes('db pass'), false);
  });

  it('reads numbers and booleans as upsd does, but strictly', () => {
    assert.equal(parseWholeNumber('15'), 15);
    assert.equal(parseWholeNumber('15s'), undefined);
    assert.equal(parseWholeNumber('-1'), undefined);
    assert.deepEqual(['yes', 'ON', 'true', '1', '7', 'no', 'Off', 'false', '0', 'maybe'].map(parseNutBoolean),
      [true, true, true, true, true, false, false, false, false, undefined]);
  });
});
