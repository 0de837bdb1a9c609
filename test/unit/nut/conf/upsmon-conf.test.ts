import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseUpsmonConf, splitUpsSystem } from '../../../../src/nut/conf/upsmon-conf';

const fixture = (...parts: string[]): string => fs.readFileSync(path.join(__dirname, '../../../fixtures/nut-conf', ...parts), 'utf8');

describe('upsmon.conf parser', () => {
  it('reads MONITOR lines field by field, passwords kept apart', () => {
    const { config, issues, monitorPasswords } = parseUpsmonConf(fixture('good', 'upsmon.conf'));
    assert.deepEqual(issues, []);
    assert.deepEqual(config.monitors, [
      { line: 2, column: 1, fieldCount: 5, system: 'rack@localhost', powerValue: '1', user: 'upsmon', hasPassword: true, role: 'primary' },
      { line: 3, column: 1, fieldCount: 5, system: 'office@127.0.0.1:3493', powerValue: '0', user: 'watcher', hasPassword: true, role: 'secondary' },
    ]);
    assert.deepEqual(monitorPasswords, ['mon"pw', 'watchpw']);
    assert.equal(JSON.stringify(config).includes('watchpw'), false);
    assert.equal(config.minSupplies, 1);
    assert.equal(config.shutdownCmd, '/sbin/shutdown -h +0');
    assert.equal(config.pollFreq, 5);
    assert.equal(config.deadTime, 15);
    assert.deepEqual(config.notifyMessages, [{ type: 'ONBATT', message: 'UPS %s is on battery', line: 15 }]);
    assert.deepEqual(config.notifyFlags[0], { type: 'ONBATT', flags: ['SYSLOG', 'WALL', 'EXEC'], line: 16 });
  });

  it('keeps only the system of a MONITOR line with the wrong field count, and hides its other words', () => {
    const { config, monitorPasswords, secrets } = parseUpsmonConf('MONITOR ups@h 1 user my secret primary\n');
    assert.deepEqual(config.monitors, [{ line: 1, column: 1, fieldCount: 6, system: 'ups@h', hasPassword: false }]);
    assert.deepEqual(monitorPasswords, [undefined]);
    assert.deepEqual(secrets, ['user', 'my', 'secret']);
    assert.deepEqual(config.directives, [{ keyword: 'MONITOR', args: ['ups@h'], argCount: 6, line: 1, column: 1 }]);
  });

  it('splits upsname@host[:port], with IPv6 in brackets', () => {
    assert.deepEqual(splitUpsSystem('rack@localhost'), { upsName: 'rack', host: 'localhost' });
    assert.deepEqual(splitUpsSystem('rack@nas.lan:3494'), { upsName: 'rack', host: 'nas.lan', port: 3494 });
    assert.deepEqual(splitUpsSystem('rack@[::1]:3493'), { upsName: 'rack', host: '::1', port: 3493 });
    assert.deepEqual(splitUpsSystem('rack@[fe80::1]'), { upsName: 'rack', host: 'fe80::1' });
    for (const [system, problem] of [
      ['rack', /no `@host`/], ['@host', /no UPS name/], ['rack@', /no host/], ['rack@h:0', /port/], ['rack@h:x', /port/],
      ['rack@::1', /without brackets/], ['rack@[::1', /never closes/], ['rack@[::1]x', /not `:port`/],
    ] as const) {
      const result = splitUpsSystem(system);
      assert.ok('problem' in result, system);
      assert.match(result.problem, problem, system);
    }
  });
});
