import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NutConfigError } from '../../../../src/errors';
import { type CheckReport, checkNutConfDir, formatFinding, sortFindings } from '../../../../src/nut/conf/check';
import { tempDir } from '../../../helpers/temp';

const FIXTURES = path.join(__dirname, '../../../fixtures/nut-conf');

/** A copy of a fixture folder with mode 0640 files (git checks them out 0644, which the permission rule rejects). */
function fixtureCopy(name: string, mode = 0o640): string {
  const dir = tempDir('walnut-nutconf-');
  for (const file of fs.readdirSync(path.join(FIXTURES, name))) {
    fs.copyFileSync(path.join(FIXTURES, name, file), path.join(dir, file));
    fs.chmodSync(path.join(dir, file), mode);
  }
  return dir;
}

type Expected = [file: string, line: number, severity: 'error' | 'warning', pattern: RegExp];

function assertReport(report: CheckReport, expected: Expected[]): void {
  const shown = report.findings.map(formatFinding).join('\n');
  const relative = report.findings.map((f) => [path.relative(report.confDir, f.file) || '.', f.line, f.severity]);
  assert.deepEqual(relative, expected.map(([file, line, severity]) => [file, line, severity]), shown);
  expected.forEach(([, , , pattern], index) => assert.match(report.findings[index]?.message ?? '', pattern, shown));
  assert.equal(report.errors, expected.filter((e) => e[2] === 'error').length);
  assert.equal(report.warnings, expected.filter((e) => e[2] === 'warning').length);
}

/** One broken folder per rule: the exact findings each must give. */
const BROKEN: Record<string, Expected[]> = {
  'ups-missing-driver': [['ups.conf', 1, 'error', /UPS `rack` has no `driver`/]],
  'ups-missing-port': [['ups.conf', 1, 'error', /UPS `rack` has no `port`/]],
  'ups-unknown-key': [
    ['ups.conf', 1, 'warning', /unknown global setting `pollintervall`.*Did you mean `pollinterval`\?/],
    ['ups.conf', 5, 'warning', /`vendorID` in `\[rack\]`.*Did you mean `vendorid`\? Keywords are case-sensitive/],
    ['ups.conf', 6, 'warning', /`frobnicate` in `\[rack\]` is neither/],
  ],
  'ups-bad-value': [
    ['ups.conf', 1, 'error', /`pollinterval` must be a whole number of at least 1, not `fast`/],
    ['ups.conf', 2, 'error', /`maxretry` must be a whole number of at least 1, not `0`/],
    ['ups.conf', 6, 'error', /`sdorder` must be a whole number/],
    ['ups.conf', 7, 'error', /`synchronous` must be `yes`, `no` or `auto`, not `maybe`/],
  ],
  'ups-hash-in-quotes': [['ups.conf', 4, 'error', /unescaped `#` inside quotes.*write it as `\\#`/]],
  'ups-unterminated-quote': [['ups.conf', 4, 'error', /this quote is never closed/]],
  'ups-missing-equals': [
    ['ups.conf', 1, 'error', /UPS `rack` has no `driver`/],
    ['ups.conf', 2, 'error', /`driver` needs `=` before its value \(NUT ignores this line\)/],
    ['ups.conf', 4, 'error', /`desc =` has no value/],
  ],
  'ups-unquoted-spaces': [['ups.conf', 4, 'warning', /`desc` takes one value and NUT ignores the 2 word\(s\) after it/]],
  'ups-duplicate-section': [['ups.conf', 4, 'error', /UPS `Rack` is already defined at line 1/]],
  'upsd-bad-number': [
    ['upsd.conf', 1, 'error', /`MAXAGE` must be a whole number, not `fifteen`/],
    ['upsd.conf', 2, 'error', /upsd\.conf takes no `=`: write `MAXCONN value`/],
    ['upsd.conf', 3, 'error', /`TRACKINGDELAY` must be a whole number, not `3600s`/],
  ],
  'upsd-bad-listen': [
    ['upsd.conf', 2, 'error', /LISTEN `300\.1\.1\.1` is not an IPv4 or IPv6 address or a host name/],
    ['upsd.conf', 3, 'error', /LISTEN port `70000` is not a number from 1 to 65535/],
    ['upsd.conf', 4, 'error', /LISTEN `bad_host!` is not/],
    ['upsd.conf', 5, 'error', /without brackets/],
  ],
  'upsd-listen-network': [
    ['upsd.conf', 1, 'warning', /LISTEN `0\.0\.0\.0` makes upsd reachable on every network interface/],
    ['upsd.conf', 2, 'warning', /LISTEN `192\.168\.1\.10` makes upsd reachable from the network/],
  ],
  'upsd-unknown-directive': [
    ['upsd.conf', 1, 'warning', /unknown directive `MAXCON`.*Did you mean `MAXCONN`\?/],
    ['upsd.conf', 2, 'warning', /unknown directive `maxage`.*Did you mean `MAXAGE`\? Keywords are case-sensitive/],
    ['upsd.conf', 3, 'warning', /`ACL` was removed in NUT 2\.4/],
  ],
  'users-no-password': [['upsd.users', 1, 'error', /user `monuser` has no password/]],
  'users-no-rights': [['upsd.users', 1, 'warning', /user `lonely` can do nothing/]],
  'users-unknown-role': [
    ['upsd.users', 1, 'warning', /user `monuser` can do nothing/],
    ['upsd.users', 3, 'error', /unknown upsmon role `boss` for user `monuser`/],
  ],
  'users-password-words': [['upsd.users', 2, 'error', /the password of user `monuser` is several words/]],
  'upsmon-field-count': [
    ['upsmon.conf', 1, 'error', /MONITOR needs exactly 5 fields.*this line has 4/],
    ['upsmon.conf', 1, 'error', /power values add up to 0, less than MINSUPPLIES \(1\)/],
    ['upsmon.conf', 2, 'error', /MONITOR needs exactly 5 fields.*this line has 6: put a password that contains spaces in quotes/],
  ],
  'upsmon-bad-system': [
    ['upsmon.conf', 1, 'error', /MONITOR `rack` has no `@host`/],
    ['upsmon.conf', 2, 'error', /MONITOR `rack@localhost:99999` has a port that is not a number from 1 to 65535/],
    ['upsmon.conf', 3, 'error', /MONITOR `rack@::1` has an IPv6 address without brackets/],
    ['upsmon.conf', 4, 'error', /MONITOR `@localhost` has no UPS name before `@`/],
  ],
  'upsmon-bad-power-value': [
    ['upsmon.conf', 1, 'error', /power value \(second field\) must be a whole number/],
    ['upsmon.conf', 1, 'error', /power values add up to 0/],
  ],
  'upsmon-unknown-role': [['upsmon.conf', 1, 'error', /the last MONITOR field must be `primary` or `secondary`/]],
  'upsmon-min-supplies': [['upsmon.conf', 2, 'error', /add up to 1, less than MINSUPPLIES \(2\)/]],
  'upsmon-bad-number': [
    ['upsmon.conf', 2, 'error', /`POLLFREQ` must be a whole number, not `often`/],
    ['upsmon.conf', 3, 'error', /upsmon\.conf takes no `=`: write `DEADTIME value`/],
    ['upsmon.conf', 4, 'warning', /unknown notification type `ONBAT`.*Did you mean `ONBATT`\?/],
    ['upsmon.conf', 4, 'warning', /unknown notify flag `MAIL`/],
  ],
  'secret-file-readable': [],
  'cross-file': [
    ['upsmon.conf', 1, 'error', /the MONITOR password for `monuser` differs from the one in upsd\.users line 2/],
    ['upsmon.conf', 1, 'error', /MONITOR uses `monuser` as primary, but upsd\.users makes it `upsmon secondary`/],
    ['upsmon.conf', 2, 'error', /UPS `tower`, but ups\.conf has no `\[tower\]` section/],
    ['upsmon.conf', 3, 'warning', /no LISTEN on a loopback \(or wildcard\) address with that port: add `LISTEN 127\.0\.0\.1 3500`/],
    ['upsmon.conf', 3, 'error', /MONITOR logs in as `nobody`, but upsd\.users has no `\[nobody\]` section/],
  ],
};

describe('walnut nut check: checkNutConfDir', () => {
  it('finds nothing wrong in the good set, and returns what the files say without any password', async () => {
    const report = await checkNutConfDir(fixtureCopy('good'));
    assertReport(report, []);
    assert.deepEqual(report.files.map((f) => [f.name, f.present, f.mode]), [
      ['ups.conf', true, '0640'], ['upsd.conf', true, '0640'], ['upsd.users', true, '0640'], ['upsmon.conf', true, '0640'],
    ]);
    assert.deepEqual(report.parsed.upsConf?.sections.map((s) => s.name), ['rack', 'office']);
    assert.deepEqual(report.parsed.upsdConf?.listen.map((l) => l.address), ['127.0.0.1', '::1']);
    assert.deepEqual(report.parsed.upsdUsers?.users.map((u) => u.name), ['admin', 'upsmon', 'watcher']);
    assert.deepEqual(report.parsed.upsmonConf?.monitors.map((m) => m.system), ['rack@localhost', 'office@127.0.0.1:3493']);
    const json = JSON.stringify(report);
    for (const secret of ['admin pass #1', 'mon"pw', 'watchpw', 'snmp auth pass', 'snmp#priv']) {
      assert.equal(json.includes(JSON.stringify(secret).slice(1, -1)), false, `report leaks ${secret}`);
    }
  });

  for (const [rule, expected] of Object.entries(BROKEN)) {
    it(`broken/${rule}: gives exactly its findings`, async () => {
      assertReport(await checkNutConfDir(fixtureCopy(`broken/${rule}`)), expected);
    });
  }

  it('has a test for every broken fixture folder', () => {
    assert.deepEqual(fs.readdirSync(path.join(FIXTURES, 'broken')).sort(), Object.keys(BROKEN).sort());
  });

  it('errors on a password file readable by others (0644), not on 0600 or 0640', async () => {
    for (const [mode, expected] of [[0o644, 1], [0o600, 0], [0o640, 0]] as const) {
      const dir = fixtureCopy('broken/secret-file-readable', mode);
      const report = await checkNutConfDir(dir);
      assert.equal(report.errors, expected, `mode ${mode.toString(8)}`);
      if (expected === 0) continue;
      assertReport(report, [['upsd.users', 0, 'error', /holds passwords and every user of this machine can read it \(mode 0644\): run `chmod 640 .*upsd\.users` \(owner root, group nut\) or `chmod 600 /]]);
      assert.equal(report.findings[0]?.message.includes('s3cret-value'), false);
    }
  });

  it('checks upsmon.conf permissions too, and ups.conf only when it holds a password', async () => {
    const dir = tempDir('walnut-nutconf-');
    fs.writeFileSync(path.join(dir, 'upsmon.conf'), 'MONITOR a@localhost 1 u p primary\nSHUTDOWNCMD "/sbin/shutdown -h +0"\n', { mode: 0o644 });
    fs.writeFileSync(path.join(dir, 'ups.conf'), '[a]\ndriver = d\nport = p\n', { mode: 0o644 });
    fs.chmodSync(path.join(dir, 'upsmon.conf'), 0o644);
    fs.chmodSync(path.join(dir, 'ups.conf'), 0o644);
    assertReport(await checkNutConfDir(dir), [['upsmon.conf', 0, 'error', /mode 0644/]]);
    fs.appendFileSync(path.join(dir, 'ups.conf'), 'authPassword = x\n');
    assertReport(await checkNutConfDir(dir), [['ups.conf', 0, 'error', /mode 0644/], ['upsmon.conf', 0, 'error', /mode 0644/]]);
  });

  it('hides a password that a message would otherwise quote (a role that is also the password)', async () => {
    const dir = tempDir('walnut-nutconf-');
    fs.writeFileSync(path.join(dir, 'upsd.users'), '[u]\npassword = b0ssword\nupsmon b0ssword\n', { mode: 0o600 });
    fs.chmodSync(path.join(dir, 'upsd.users'), 0o600);
    const report = await checkNutConfDir(dir);
    assertReport(report, [
      ['upsd.users', 1, 'warning', /user `u` can do nothing/],
      ['upsd.users', 3, 'error', /unknown upsmon role `\(hidden\)` for user `u`/],
    ]);
    assert.equal(JSON.stringify(report).includes('b0ssword'), false);
  });

  it('notes missing files, and errors when none of the four is there', async () => {
    const partial = fixtureCopy('broken/users-no-rights');
    const report = await checkNutConfDir(partial);
    assert.deepEqual(report.files.map((f) => [f.name, f.present]), [['ups.conf', false], ['upsd.conf', false], ['upsd.users', true], ['upsmon.conf', false]]);
    assert.deepEqual(report.parsed.upsConf, undefined);
    const empty = tempDir('walnut-nutconf-');
    assertReport(await checkNutConfDir(empty), [['.', 0, 'error', /none of ups\.conf, upsd\.conf, upsd\.users, upsmon\.conf is in this folder/]]);
  });

  it('throws NutConfigError for a folder that is missing or not a folder', async () => {
    const dir = tempDir('walnut-nutconf-');
    await assert.rejects(checkNutConfDir(path.join(dir, 'nope')), (error: unknown) =>
      error instanceof NutConfigError && error.code === 'NUT_CONFIG' && /nope: no such folder/.test(error.message));
    fs.writeFileSync(path.join(dir, 'file'), '');
    await assert.rejects(checkNutConfDir(path.join(dir, 'file')), (error: unknown) => error instanceof NutConfigError && /is not a folder/.test(error.message));
  });

  it('formats findings as file:line: severity: message and sorts them by file, then line', () => {
    assert.equal(formatFinding({ file: '/etc/nut/ups.conf', line: 3, severity: 'error', message: 'm' }), '/etc/nut/ups.conf:3: error: m');
    assert.equal(formatFinding({ file: '/etc/nut/upsd.users', line: 0, severity: 'warning', message: 'w' }), '/etc/nut/upsd.users: warning: w');
    const sorted = sortFindings([
      { file: 'b', line: 1, severity: 'error', message: '1' },
      { file: 'a', line: 9, severity: 'error', message: '2' },
      { file: 'a', line: 2, severity: 'warning', message: '3' },
      { file: 'a', line: 2, severity: 'error', message: '4' },
    ]);
    assert.deepEqual(sorted.map((f) => f.message), ['3', '4', '2', '1']);
  });
});
