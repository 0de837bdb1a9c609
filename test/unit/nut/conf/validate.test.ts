import { strict as assert } from 'node:assert';
import { parseUpsConf } from '../../../../src/nut/conf/ups-conf';
import { parseUpsdConf } from '../../../../src/nut/conf/upsd-conf';
import { parseUpsdUsers } from '../../../../src/nut/conf/upsd-users';
import { parseUpsmonConf } from '../../../../src/nut/conf/upsmon-conf';
import {
  classifyAddress, isLoopbackAddress, nearestKnown, type NutConfFinding, redactSecrets, validateAcrossFiles, validateSecretFileMode,
  validateUpsConf, validateUpsdConf, validateUpsdUsers, validateUpsmonConf,
} from '../../../../src/nut/conf/validate';

type Expected = [line: number, severity: 'error' | 'warning', pattern: RegExp];

function assertFindings(findings: NutConfFinding[], file: string, expected: Expected[]): void {
  const shown = findings.map((f) => `${f.file}:${f.line}: ${f.severity}: ${f.message}`).join('\n');
  assert.equal(findings.length, expected.length, `expected ${expected.length} findings, got:\n${shown}`);
  expected.forEach(([line, severity, pattern], index) => {
    const finding = findings[index];
    assert.deepEqual([finding?.file, finding?.line, finding?.severity], [file, line, severity], shown);
    assert.match(finding?.message ?? '', pattern, shown);
  });
}

const ups = (text: string) => validateUpsConf(parseUpsConf(text));
const upsd = (text: string) => validateUpsdConf(parseUpsdConf(text));
const users = (text: string) => validateUpsdUsers(parseUpsdUsers(text));
const upsmon = (text: string) => validateUpsmonConf(parseUpsmonConf(text));
const SHUTDOWN = 'SHUTDOWNCMD "/sbin/shutdown -h +0"\n';

describe('NUT config validation', () => {
  describe('helpers', () => {
    it('suggests the nearest known word only when it is close', () => {
      assert.equal(nearestKnown('pollintervall', ['pollinterval', 'maxretry']), 'pollinterval');
      assert.equal(nearestKnown('MAXCON', ['MAXCONN', 'MAXAGE']), 'MAXCONN');
      assert.equal(nearestKnown('maxage', ['MAXCONN', 'MAXAGE']), 'MAXAGE');
      assert.equal(nearestKnown('frobnicate', ['driver', 'port']), undefined);
      assert.equal(nearestKnown('MAIL', ['SYSLOG', 'WALL', 'EXEC', 'IGNORE']), undefined);
    });

    it('classifies addresses and knows loopback', () => {
      assert.deepEqual(['127.0.0.1', '::1', 'nas.lan', 'localhost', '300.1.1.1', '10.1', 'bad_host!', '[::1]', ''].map(classifyAddress),
        ['ipv4', 'ipv6', 'hostname', 'hostname', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid']);
      assert.deepEqual(['127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LocalHost', '0.0.0.0', '::', '192.168.1.1', 'nas.lan']
        .map(isLoopbackAddress), [true, true, true, true, true, true, true, false, false, false, false]);
    });
  });

  describe('ups.conf', () => {
    it('accepts a complete section', () => {
      assert.deepEqual(ups('maxretry = 3\n[rack]\ndriver = usbhid-ups\nport = auto\nvendorid = 051d\noverride.battery.charge.low = 30\nignorelb\n'), []);
    });

    it('requires driver and port in every section', () => {
      assertFindings(ups('[a]\nport = auto\n[b]\ndriver = dummy-ups\n[c]\ndriver\nport = x\n'), 'ups.conf', [
        [1, 'error', /UPS `a` has no `driver`: add e\.g\. `driver = usbhid-ups`/],
        [3, 'error', /UPS `b` has no `port`: add e\.g\. `port = auto`/],
        [6, 'error', /`driver` needs a value/],
      ]);
    });

    it('warns about unknown keys with the nearest known one, and about UPS keys before any section', () => {
      assertFindings(ups('pollintervall = 5\ndriver = x\ndesc = y\n[r]\ndriver = usbhid-ups\nport = auto\nvendorID = 1\nfrobnicate = 1\n'), 'ups.conf', [
        [1, 'warning', /unknown global setting `pollintervall`.*Did you mean `pollinterval`\?/],
        [2, 'error', /`driver` belongs to a UPS but comes before any `\[upsname\]` section/],
        [3, 'warning', /`desc` belongs to a UPS/],
        [7, 'warning', /`vendorID` in `\[r\]`.*Did you mean `vendorid`\? Keywords are case-sensitive.*man page of `usbhid-ups`/],
        [8, 'warning', /`frobnicate` in `\[r\]` is neither a ups\.conf setting nor a parameter of a common driver\. A driver refuses/],
      ]);
    });

    it('rejects bad values', () => {
      assertFindings(ups('pollinterval = 0\nretrydelay = soon\n[r]\ndriver = d\nport = p\nsdorder = -1\nmaxstartdelay = 1.5\nsynchronous = auto\noverride.\ndefault.x\n'), 'ups.conf', [
        [1, 'error', /`pollinterval` must be a whole number of at least 1, not `0`/],
        [2, 'error', /`retrydelay` must be a whole number \(0 or more\), not `soon`/],
        [7, 'error', /`maxstartdelay` must be a whole number/],
        [9, 'error', /`override\.` needs a variable name/],
        [10, 'error', /`default\.x` needs a value/],
      ]);
    });

    it('reports duplicate sections and keys, odd UPS names, and obsolete sddelay', () => {
      assertFindings(ups('[r]\ndriver = d\nport = p\nport = q\nsddelay = 5\n[R]\ndriver = d\nport = p\n[my@ups]\ndriver = d\nport = p\n'), 'ups.conf', [
        [4, 'warning', /`port` is set again in `\[r\]` \(first at line 3\)/],
        [5, 'warning', /`sddelay` is obsolete/],
        [6, 'error', /UPS `R` is already defined at line 1/],
        [9, 'warning', /UPS name `my@ups` has characters other than/],
      ]);
    });

    it('never shows a hidden value', () => {
      const findings = ups('[r]\ndriver = snmp-ups\nport = h\nauthPassword = "hunter2" extra\n');
      assertFindings(findings, 'ups.conf', [[4, 'warning', /takes one value/]]);
      assert.equal(JSON.stringify(findings).includes('hunter2'), false);
    });
  });

  describe('upsd.conf', () => {
    it('accepts loopback LISTEN lines and good values', () => {
      assert.deepEqual(upsd('LISTEN 127.0.0.1 3493\nLISTEN ::1\nLISTEN localhost 3494\nMAXAGE 15\nALLOW_NO_DEVICE yes\nCERTREQUEST 1\nDEBUG_MIN 0\n'), []);
    });

    it('checks LISTEN addresses and ports', () => {
      assertFindings(upsd('LISTEN 300.1.1.1\nLISTEN ::1 70000\nLISTEN bad_host!\nLISTEN [::1] 3493\nLISTEN 127.0.0.1 http\nLISTEN\n'), 'upsd.conf', [
        [1, 'error', /LISTEN `300\.1\.1\.1` is not an IPv4 or IPv6 address or a host name/],
        [2, 'error', /LISTEN port `70000` is not a number from 1 to 65535/],
        [3, 'error', /LISTEN `bad_host!` is not/],
        [4, 'error', /write IPv6 addresses without brackets/],
        [5, 'error', /LISTEN port `http`/],
        [6, 'error', /`LISTEN` needs a value/],
      ]);
    });

    it('warns when upsd is reachable from the network, and about a repeated LISTEN', () => {
      assertFindings(upsd('LISTEN 0.0.0.0 3493\nLISTEN :: 3493\nLISTEN 192.168.1.10\nLISTEN nas.lan 3500\nLISTEN 192.168.1.10 3493\n'), 'upsd.conf', [
        [1, 'warning', /LISTEN `0\.0\.0\.0` makes upsd reachable on every network interface.*firewall limit port 3493/],
        [2, 'warning', /LISTEN `::` makes upsd reachable on every network interface/],
        [3, 'warning', /LISTEN `192\.168\.1\.10` makes upsd reachable from the network/],
        [4, 'warning', /LISTEN `nas\.lan` makes upsd reachable from the network.*port 3500/],
        [5, 'warning', /reachable from the network/],
        [5, 'warning', /same LISTEN address and port as line 3/],
      ]);
    });

    it('reports non-numeric and non-boolean values, `=`, and repeated directives', () => {
      assertFindings(upsd('MAXAGE fifteen\nMAXCONN = 10\nALLOW_NO_DEVICE maybe\nCERTREQUEST 3\nMAXAGE 15\nMAXAGE 20\nSTATEPATH /run/a /run/b\n'), 'upsd.conf', [
        [1, 'error', /`MAXAGE` must be a whole number, not `fifteen`: upsd ignores this line/],
        [2, 'error', /upsd\.conf takes no `=`: write `MAXCONN value`/],
        [3, 'error', /`ALLOW_NO_DEVICE` must be `yes`\/`no`/],
        [4, 'error', /`CERTREQUEST` must be 0 .* 1 .* or 2/],
        [5, 'warning', /`MAXAGE` is set again \(first at line 1\)/],
        [6, 'warning', /`MAXAGE` is set again \(first at line 1\)/],
        [7, 'warning', /`STATEPATH` takes one value/],
      ]);
    });

    it('warns about unknown and obsolete directives, noting case', () => {
      assertFindings(upsd('MAXCON 10\nmaxage 15\nACL all 0.0.0.0/0\n[ups]\n'), 'upsd.conf', [
        [1, 'warning', /unknown directive `MAXCON`: upsd ignores this line\. Did you mean `MAXCONN`\?$/],
        [2, 'warning', /Did you mean `MAXAGE`\? Keywords are case-sensitive\./],
        [3, 'warning', /`ACL` was removed in NUT 2\.4/],
        [4, 'error', /upsd\.conf has no sections/],
      ]);
    });

    it('never shows the CERTIDENT password', () => {
      const findings = upsd('CERTIDENT name "db pass" extra\nCERTIDENT onlyname\n');
      assertFindings(findings, 'upsd.conf', [
        [1, 'warning', /`CERTIDENT` takes at most 2 values/],
        [2, 'error', /`CERTIDENT` needs a certificate name and its database password/],
        [2, 'warning', /`CERTIDENT` is set again/],
      ]);
      assert.equal(JSON.stringify(findings).includes('db pass'), false);
    });
  });

  describe('upsd.users', () => {
    it('accepts users with a password and rights', () => {
      assert.deepEqual(users('[admin]\npassword = a\nactions = SET FSD\ninstcmds = ALL\n[mon]\npassword = b\nupsmon master\n[ro]\npassword = c\nupsmon = slave\n'), []);
    });

    it('requires a password and says what an unquoted or repeated one does', () => {
      const findings = users('[a]\nupsmon primary\n[b]\npassword = tw0 w0rds\npassword = aga1n\nupsmon secondary\n[c]\npassword = ""\nupsmon primary\n');
      assertFindings(findings, 'upsd.users', [
        [1, 'error', /user `a` has no password, so upsd refuses every login with it: add `password = …`/],
        [4, 'error', /the password of user `b` is several words and upsd keeps only the first: put the whole password in quotes/],
        [5, 'warning', /user `b` already has a password \(line 4\): upsd keeps the first/],
        [8, 'error', /user `c` has an empty password/],
      ]);
      assert.equal(/tw0|w0rds|aga1n/.test(JSON.stringify(findings)), false);
    });

    it('warns about a user that can do nothing, and rejects unknown roles and actions', () => {
      assertFindings(users('[lonely]\npassword = x\n[boss]\npassword = y\nupsmon boss\n[admin]\npassword = z\nactions = SETT\nallowfrom = localhost\ncolour = red\n'), 'upsd.users', [
        [1, 'warning', /user `lonely` can do nothing: it has no `upsmon` role, `actions` or `instcmds`/],
        [3, 'warning', /user `boss` can do nothing/],
        [5, 'error', /unknown upsmon role `boss` for user `boss`: write `upsmon primary`/],
        [8, 'warning', /unknown action `SETT` for user `admin`.*Did you mean `SET`\?/],
        [9, 'warning', /`allowfrom` is no longer used/],
        [10, 'warning', /unknown setting `colour` for user `admin`/],
      ]);
    });

    it('warns about a file without users', () => {
      assertFindings(users('# nothing\n'), 'upsd.users', [[0, 'warning', /defines no `\[user\]`/]]);
    });
  });

  describe('upsmon.conf', () => {
    it('accepts a complete file', () => {
      assert.deepEqual(upsmon(`MONITOR ups@localhost 1 mon pw primary\nMONITOR b@[::1]:3493 0 mon pw secondary\n${SHUTDOWN}DEBUG_MIN 1\ndebug_min 2\nNOTIFYFLAG onbatt SYSLOG+EXEC\nSHUTDOWNEXIT yes\nCERTHOST h c 1 0\n`), []);
    });

    it('checks the MONITOR field count without echoing any field', () => {
      const findings = upsmon(`MONITOR ups@localhost 1 mon primary\nMONITOR ups@localhost 1 mon my secret primary\n${SHUTDOWN}`);
      assertFindings(findings, 'upsmon.conf', [
        [1, 'error', /MONITOR needs exactly 5 fields after the keyword.*but this line has 4/],
        [1, 'error', /power values add up to 0, less than MINSUPPLIES \(1\)/],
        [2, 'error', /but this line has 6: put a password that contains spaces in quotes/],
      ]);
      assert.equal(/secret|\bmy\b/.test(JSON.stringify(findings)), false);
    });

    it('checks ups@host[:port], the power value and the role', () => {
      assertFindings(upsmon(`MONITOR ups 1 u p primary\nMONITOR ups@bad_host! 1 u p primary\nMONITOR ups@h:99999 1 u p primary\nMONITOR a@h one u p primary\nMONITOR b@h 1 u p boss\nMONITOR c@h 1 u "" primary\n${SHUTDOWN}`), 'upsmon.conf', [
        [1, 'error', /MONITOR `ups` has no `@host`/],
        [2, 'error', /`bad_host!` is not an IPv4 or IPv6 address or a host name/],
        [3, 'error', /has a port that is not a number from 1 to 65535/],
        [4, 'error', /power value \(second field\) must be a whole number/],
        [5, 'error', /the last MONITOR field must be `primary` or `secondary`/],
        [6, 'error', /the MONITOR password \(fourth field\) is empty/],
      ]);
    });

    it('reports MINSUPPLIES above the power values, a missing SHUTDOWNCMD, no MONITOR, and duplicates', () => {
      assertFindings(upsmon('MONITOR a@h 1 u p primary\nMINSUPPLIES 2\nMONITOR a@h 1 u p primary\n'), 'upsmon.conf', [
        [0, 'warning', /no SHUTDOWNCMD/],
        [2, 'error', /add up to 1, less than MINSUPPLIES \(2\): upsmon refuses to start/],
        [3, 'warning', /`a@h` is already monitored at line 1/],
      ]);
      assertFindings(upsmon(SHUTDOWN), 'upsmon.conf', [[0, 'warning', /no MONITOR line/]]);
      assert.deepEqual(upsmon(`MONITOR a@h 0 u p secondary\nMINSUPPLIES 0\n`), []);
    });

    it('checks numbers, `=`, notification types and flags', () => {
      assertFindings(upsmon(`MONITOR a@h 1 u p primary\n${SHUTDOWN}POLLFREQ often\nDEADTIME = 15\nNOTIFYFLAG ONBAT SYSLOG+MAIL\nNOTIFYMSG ONBATT\nPOLFREQ 5\n`), 'upsmon.conf', [
        [3, 'error', /`POLLFREQ` must be a whole number, not `often`/],
        [4, 'error', /upsmon\.conf takes no `=`: write `DEADTIME value`/],
        [5, 'warning', /unknown notification type `ONBAT`.*Did you mean `ONBATT`\?/],
        [5, 'warning', /unknown notify flag `MAIL`/],
        [6, 'error', /`NOTIFYMSG` needs 2 values/],
        [7, 'warning', /unknown directive `POLFREQ`.*Did you mean `POLLFREQ`\?/],
      ]);
    });
  });

  describe('password file permissions', () => {
    it('errors when others can read or write, warns when the group can write, accepts 0640 and 0600', () => {
      assertFindings(validateSecretFileMode('/etc/nut/upsd.users', 0o100644), '/etc/nut/upsd.users', [
        [0, 'error', /holds passwords and every user of this machine can read it \(mode 0644\): run `chmod 640 \/etc\/nut\/upsd\.users` .* or `chmod 600 /],
      ]);
      assertFindings(validateSecretFileMode('f', 0o602), 'f', [[0, 'error', /can change it \(mode 0602\)/]]);
      assertFindings(validateSecretFileMode('f', 0o660), 'f', [[0, 'warning', /its group can change it \(mode 0660\)/]]);
      assert.deepEqual(validateSecretFileMode('f', 0o640), []);
      assert.deepEqual(validateSecretFileMode('f', 0o600), []);
    });
  });

  describe('across files', () => {
    const upsmonParse = parseUpsmonConf('MONITOR rack@localhost 1 mon wrong primary\nMONITOR tower@127.0.0.1 1 mon right secondary\n' +
      'MONITOR rack@localhost:3500 0 nobody x secondary\nMONITOR rack@[::1] 1 ro right primary\nMONITOR far@nas.lan 1 nobody x primary\n');
    const usersParse = parseUpsdUsers('[mon]\npassword = right\nupsmon secondary\n[ro]\npassword = right\nactions = SET\n');

    it('matches MONITOR lines for this machine against ups.conf, upsd.conf and upsd.users', () => {
      const findings = validateAcrossFiles({
        upsConf: { file: 'ups.conf', config: parseUpsConf('[rack]\ndriver = d\nport = p\n').config },
        upsdConf: { file: 'upsd.conf', config: parseUpsdConf('LISTEN 127.0.0.1 3493\nLISTEN ::1\n').config },
        upsdUsers: { file: 'upsd.users', config: usersParse.config, passwords: usersParse.passwords },
        upsmonConf: { file: 'upsmon.conf', parse: upsmonParse },
      });
      assertFindings(findings, 'upsmon.conf', [
        [1, 'error', /the MONITOR password for `mon` differs from the one in upsd\.users line 2/],
        [1, 'error', /MONITOR uses `mon` as primary, but upsd\.users makes it `upsmon secondary`.*\(upsd\.users line 1\)/],
        [2, 'error', /UPS `tower`, but ups\.conf has no `\[tower\]` section: upsd answers UNKNOWN-UPS; use one of: rack/],
        [3, 'warning', /MONITOR connects to localhost port 3500, but upsd\.conf has no LISTEN.*`LISTEN 127\.0\.0\.1 3500`/],
        [3, 'error', /MONITOR logs in as `nobody`, but upsd\.users has no `\[nobody\]` section/],
        [4, 'error', /upsd\.users gives `ro` no upsmon role, so upsd refuses its LOGIN: add `upsmon primary`/],
      ]);
      assert.equal(/wrong|right/.test(JSON.stringify(findings)), false);
    });

    it('uses upsd\'s default listeners when upsd.conf has no LISTEN', () => {
      const findings = validateAcrossFiles({
        upsdConf: { file: 'upsd.conf', config: parseUpsdConf('MAXAGE 15\n').config },
        upsmonConf: { file: 'upsmon.conf', parse: parseUpsmonConf('MONITOR a@localhost 1 u p primary\nMONITOR a@localhost:3494 1 u p primary\n') },
      });
      assertFindings(findings, 'upsmon.conf', [[2, 'warning', /port 3494/]]);
    });
  });

  it('redacts any secret quoted in a message', () => {
    const findings: NutConfFinding[] = [{ file: 'f', line: 1, severity: 'error', message: 'unknown role `hunter2` here; hunter2 unquoted stays' }];
    assert.deepEqual(redactSecrets(findings, ['hunter2', '']).map((f) => f.message), ['unknown role `(hidden)` here; hunter2 unquoted stays']);
  });
});
