import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { effectiveUpsmonRole, parseUpsdUsers } from '../../../../src/nut/conf/upsd-users';

const fixture = (...parts: string[]): string => fs.readFileSync(path.join(__dirname, '../../../fixtures/nut-conf', ...parts), 'utf8');

describe('upsd.users parser', () => {
  it('reads users with actions, instcmds and upsmon roles, passwords kept apart', () => {
    const { config, issues, passwords } = parseUpsdUsers(fixture('good', 'upsd.users'));
    assert.deepEqual(issues, []);
    assert.deepEqual(config.users.map((u) => [u.name, u.line, u.passwordLines]), [['admin', 2, [3]], ['upsmon', 8, [9]], ['watcher', 12, [13]]]);
    const [admin, upsmon, watcher] = config.users;
    assert.deepEqual(admin?.actions, [{ value: 'SET', line: 4 }, { value: 'FSD', line: 5 }]);
    assert.deepEqual(admin?.instcmds, [{ value: 'ALL', line: 6 }]);
    assert.deepEqual(upsmon?.upsmon, [{ value: 'primary', line: 10 }]);
    assert.equal(effectiveUpsmonRole(upsmon ?? { upsmon: [] }), 'primary');
    assert.equal(effectiveUpsmonRole(watcher ?? { upsmon: [] }), 'secondary');
    assert.equal(effectiveUpsmonRole(admin ?? { upsmon: [] }), undefined);
    assert.deepEqual([...passwords], [['admin', 'admin pass #1'], ['upsmon', 'mon"pw'], ['watcher', 'watchpw']]);
    const json = JSON.stringify(config);
    for (const password of passwords.values()) assert.equal(json.includes(password), false);
  });

  it('reads every value of `key = a b`, `upsmon = role`, and setting names in any case', () => {
    const { config } = parseUpsdUsers('[u]\nPASSWORD = pw\nactions = SET FSD\nupsmon = master\nInstCmds = load.off\n');
    const [user] = config.users;
    assert.deepEqual(user?.passwordLines, [2]);
    assert.deepEqual(user?.actions.map((a) => a.value), ['SET', 'FSD']);
    assert.deepEqual(user?.upsmon.map((a) => a.value), ['master']);
    assert.deepEqual(user?.instcmds.map((a) => a.value), ['load.off']);
    assert.equal(effectiveUpsmonRole(user ?? { upsmon: [] }), 'primary');
  });

  it('counts the words of an unquoted password and keeps the first, as upsd does', () => {
    const { config, passwords } = parseUpsdUsers('[u]\npassword = two words\npassword = later\n');
    assert.equal(config.users[0]?.passwordWordCount, 2);
    assert.deepEqual(config.users[0]?.passwordLines, [2, 3]);
    assert.equal(passwords.get('u'), 'two');
  });

  it('reports a duplicate user, settings outside a section and malformed lines without echoing a password', () => {
    const { config, issues } = parseUpsdUsers('password = early\n[a]\npassword hunter2\n[b]\nupsmon secondary\n[a]\nactions = SET\n');
    assert.deepEqual(config.users.map((u) => u.name), ['a', 'b']);
    // upsd ignores the second [a] header, so its settings land on the user above it.
    assert.deepEqual(config.users[1]?.actions.map((a) => a.value), ['SET']);
    assert.deepEqual(issues.map((i) => [i.line, i.severity]), [[1, 'warning'], [3, 'error'], [6, 'error']]);
    assert.match(issues[0]?.message ?? '', /before any `\[username\]` section/);
    assert.match(issues[1]?.message ?? '', /password setting needs `=`/);
    assert.match(issues[2]?.message ?? '', /user `a` is already defined at line 2/);
    assert.equal(issues.some((i) => i.message.includes('hunter2') || i.message.includes('early')), false);
  });
});
