import assert from 'node:assert/strict';
import { type Harness, nextEvent, startHarness, stopHarness, withoutClient } from './helpers';

describe('NUT simulator: replies to every request', () => {
  let h: Harness;
  before(async () => (h = await startHarness({ version: '2.8.0' })));
  after(() => stopHarness(h));

  it('VER, NETVER, PROTVER and HELP, with command words in any case', async () => {
    const c = await h.connect();
    assert.equal(await c.request('VER'), 'Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/');
    assert.equal(await c.request('ver'), 'Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/');
    assert.equal(await c.request('NETVER'), '1.3');
    assert.equal(await c.request('ProtVer'), '1.3');
    assert.equal(await c.request('HELP'), 'Commands: HELP VER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS');
  });

  it('STARTTLS is refused as not configured (no certificates in the simulator)', async () => {
    const c = await h.connect();
    assert.equal(await c.request('STARTTLS'), 'ERR FEATURE-NOT-CONFIGURED');
    assert.equal(await c.request('VER'), 'Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/');
  });

  it('the version is configurable', async () => {
    const other = await startHarness({ version: '2.8.2' });
    try {
      const c = await other.connect();
      assert.equal(await c.request('VER'), 'Network UPS Tools upsd 2.8.2 - http://www.networkupstools.org/');
      assert.equal(await c.request('GET VAR any server.version'), 'VAR any server.version "2.8.2"');
    } finally {
      await other.sim.stop();
    }
  });

  it('GET VAR quotes the value and escapes \\ " and #', async () => {
    const c = await h.connect();
    assert.equal(await c.request('GET VAR ups1 ups.status'), 'VAR ups1 ups.status "OL"');
    assert.equal(await c.request('GET VAR ups1 ups.test.result'), 'VAR ups1 ups.test.result "said \\"ok\\" \\\\ \\#done"');
  });

  it('GET VAR matches UPS and variable names in any case and echoes them as written', async () => {
    const c = await h.connect();
    assert.equal(await c.request('GET VAR UPS1 Battery.Charge'), 'VAR UPS1 Battery.Charge "100"');
  });

  it('GET VAR server.info and server.version answer for any UPS name', async () => {
    const c = await h.connect();
    assert.equal(await c.request('GET VAR nosuch server.info'), 'VAR nosuch server.info "Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/"');
    assert.equal(await c.request('GET VAR nosuch SERVER.VERSION'), 'VAR nosuch server.version "2.8.0"');
    assert.equal(await c.request('GET VAR ups1 server.other'), 'ERR VAR-NOT-SUPPORTED');
  });

  it('GET TYPE says RW, ENUM, RANGE and STRING:n or NUMBER (NUMBER for any untyped variable)', async () => {
    const c = await h.connect();
    assert.equal(await c.request('GET TYPE ups1 ups.id'), 'TYPE ups1 ups.id RW STRING:8');
    assert.equal(await c.request('GET TYPE ups1 ups.beeper.status'), 'TYPE ups1 ups.beeper.status RW ENUM NUMBER');
    assert.equal(await c.request('GET TYPE ups1 ups.delay.shutdown'), 'TYPE ups1 ups.delay.shutdown RW RANGE NUMBER');
    assert.equal(await c.request('GET TYPE ups1 driver.name'), 'TYPE ups1 driver.name NUMBER');
    assert.equal(await c.request('GET TYPE ups1 nosuch.var'), 'ERR VAR-NOT-SUPPORTED');
  });

  it('GET DESC and GET CMDDESC fall back to "Description unavailable"', async () => {
    const c = await h.connect();
    assert.equal(await c.request('GET DESC ups1 battery.charge'), 'DESC ups1 battery.charge "Battery charge (percent of full)"');
    assert.equal(await c.request('GET DESC ups1 ups.load'), 'DESC ups1 ups.load "Description unavailable"');
    assert.equal(await c.request('GET DESC ups1 no.such.var'), 'DESC ups1 no.such.var "Description unavailable"');
    assert.equal(await c.request('GET CMDDESC ups1 load.off'), 'CMDDESC ups1 load.off "Turn off the load immediately"');
    assert.equal(await c.request('GET CMDDESC ups1 no.such.cmd'), 'CMDDESC ups1 no.such.cmd "Description unavailable"');
  });

  it('GET UPSDESC escapes the description and falls back to "Unavailable"', async () => {
    const c = await h.connect();
    assert.equal(await c.request('GET UPSDESC ups1'), 'UPSDESC ups1 "Rack \\"A\\" \\\\ \\#1"');
    assert.equal(await c.request('GET UPSDESC ups2'), 'UPSDESC ups2 "Unavailable"');
  });

  it('GET NUMLOGINS starts at 0 and GET TRACKING says OFF', async () => {
    const c = await h.connect();
    assert.equal(await c.request('GET NUMLOGINS ups2'), 'NUMLOGINS ups2 0');
    assert.equal(await c.request('GET TRACKING'), 'OFF');
  });

  it('LIST UPS gives every UPS in the order added, "Description unavailable" without one', async () => {
    const c = await h.connect();
    assert.deepEqual(await c.requestList('LIST UPS'), [
      'BEGIN LIST UPS',
      'UPS ups1 "Rack \\"A\\" \\\\ \\#1"',
      'UPS ups2 "Description unavailable"',
      'END LIST UPS',
    ]);
  });

  it('LIST VAR sorts variables by name and repeats the query in header and footer', async () => {
    const c = await h.connect();
    assert.deepEqual(await c.requestList('LIST VAR Ups1'), [
      'BEGIN LIST VAR Ups1',
      'VAR Ups1 battery.charge "100"',
      'VAR Ups1 driver.name "dummy-ups"',
      'VAR Ups1 ups.beeper.status "enabled"',
      'VAR Ups1 ups.delay.shutdown "20"',
      'VAR Ups1 ups.id "rack-a"',
      'VAR Ups1 ups.load "23"',
      'VAR Ups1 ups.status "OL"',
      'VAR Ups1 ups.test.result "said \\"ok\\" \\\\ \\#done"',
      'END LIST VAR Ups1',
    ]);
  });

  it('LIST RW lists only writable variables', async () => {
    const c = await h.connect();
    assert.deepEqual(await c.requestList('LIST RW ups1'), [
      'BEGIN LIST RW ups1',
      'RW ups1 ups.beeper.status "enabled"',
      'RW ups1 ups.delay.shutdown "20"',
      'RW ups1 ups.id "rack-a"',
      'RW ups1 ups.load "23"',
      'END LIST RW ups1',
    ]);
  });

  it('LIST CMD gives unquoted command names in order', async () => {
    const c = await h.connect();
    assert.deepEqual(await c.requestList('LIST CMD ups1'), [
      'BEGIN LIST CMD ups1',
      'CMD ups1 beeper.mute',
      'CMD ups1 load.off',
      'CMD ups1 test.battery.start.quick',
      'END LIST CMD ups1',
    ]);
  });

  it('an empty list is BEGIN then END', async () => {
    const c = await h.connect();
    assert.deepEqual(await c.requestList('LIST CMD ups2'), ['BEGIN LIST CMD ups2', 'END LIST CMD ups2']);
    assert.deepEqual(await c.requestList('LIST RW ups2'), ['BEGIN LIST RW ups2', 'END LIST RW ups2']);
    assert.deepEqual(await c.requestList('LIST CLIENT ups2'), ['BEGIN LIST CLIENT ups2', 'END LIST CLIENT ups2']);
    assert.deepEqual(await c.requestList('LIST ENUM ups1 ups.load'), ['BEGIN LIST ENUM ups1 ups.load', 'END LIST ENUM ups1 ups.load']);
  });

  it('LIST ENUM and LIST RANGE give the allowed values', async () => {
    const c = await h.connect();
    assert.deepEqual(await c.requestList('LIST ENUM ups1 ups.beeper.status'), [
      'BEGIN LIST ENUM ups1 ups.beeper.status',
      'ENUM ups1 ups.beeper.status "enabled"',
      'ENUM ups1 ups.beeper.status "disabled"',
      'ENUM ups1 ups.beeper.status "muted"',
      'END LIST ENUM ups1 ups.beeper.status',
    ]);
    assert.deepEqual(await c.requestList('LIST RANGE ups1 ups.delay.shutdown'), [
      'BEGIN LIST RANGE ups1 ups.delay.shutdown',
      'RANGE ups1 ups.delay.shutdown "0" "120"',
      'RANGE ups1 ups.delay.shutdown "300" "600"',
      'END LIST RANGE ups1 ups.delay.shutdown',
    ]);
    assert.equal(await c.request('LIST RANGE ups1 no.such'), 'ERR VAR-NOT-SUPPORTED');
  });

  it('USERNAME and PASSWORD answer OK once, and the password is not checked there', async () => {
    const c = await h.connect();
    assert.equal(await c.request('USERNAME admin'), 'OK');
    assert.equal(await c.request('USERNAME admin'), 'ERR ALREADY-SET-USERNAME');
    assert.equal(await c.request('PASSWORD wrong'), 'OK');
    assert.equal(await c.request('PASSWORD adm'), 'ERR ALREADY-SET-PASSWORD');
    // the wrong password shows only now
    assert.equal(await c.request('LOGIN ups1'), 'ERR ACCESS-DENIED');
  });

  it('a quoted or escaped password is read as upsd reads it', async () => {
    h.sim.addUser('hashy', { password: 'se#cret "x"', upsmon: 'secondary' });
    const quotedClient = await h.connect();
    await quotedClient.request('USERNAME hashy');
    await quotedClient.request('PASSWORD "se\\#cret \\"x\\""');
    assert.equal(await quotedClient.request('LOGIN ups2'), 'OK');
    const escapedClient = await h.connect();
    await escapedClient.request('USERNAME hashy');
    await escapedClient.request('PASSWORD se\\#cret\\ \\"x\\"');
    assert.equal(await escapedClient.request('LOGIN ups2'), 'OK');
  });

  it('PRIMARY and MASTER are granted to an upsmon primary only', async () => {
    const admin = await h.connectAs('admin', 'adm');
    assert.equal(await admin.request('PRIMARY ups1'), 'OK PRIMARY-GRANTED');
    assert.equal(await admin.request('MASTER ups1'), 'OK MASTER-GRANTED');
    const mon = await h.connectAs('mon', 'pw');
    assert.equal(await mon.request('PRIMARY ups1'), 'ERR ACCESS-DENIED');
    assert.equal(await mon.request('MASTER ups1'), 'ERR ACCESS-DENIED');
  });

  it('SET VAR changes the value, says OK and emits setvar', async () => {
    const c = await h.connectAs('setter', 'st');
    const event = nextEvent(h.sim, 'setvar');
    assert.equal(await c.request('SET VAR ups1 ups.id "rack b"'), 'OK');
    assert.deepEqual(withoutClient(await event), {
      ups: 'ups1',
      name: 'ups.id',
      value: 'rack b',
      previous: 'rack-a',
      user: 'setter',
      trackingId: undefined,
    });
    assert.equal(await c.request('GET VAR ups1 ups.id'), 'VAR ups1 ups.id "rack b"');
    assert.equal(await c.request('SET VAR ups1 ups.id "rack-a" ignored extra words'), 'OK');
    assert.equal(h.sim.getVar('ups1', 'ups.id'), 'rack-a');
  });

  it('INSTCMD says OK and emits instcmd with its parameter (only when exactly one is given)', async () => {
    const c = await h.connectAs('admin', 'adm');
    const first = nextEvent(h.sim, 'instcmd');
    assert.equal(await c.request('INSTCMD ups1 LOAD.OFF'), 'OK');
    assert.deepEqual(withoutClient(await first), {
      ups: 'ups1',
      cmd: 'load.off',
      param: undefined,
      user: 'admin',
      trackingId: undefined,
    });
    const withParam = nextEvent(h.sim, 'instcmd');
    assert.equal(await c.request('INSTCMD ups1 test.battery.start.quick 30'), 'OK');
    assert.equal((await withParam).param, '30');
    const twoParams = nextEvent(h.sim, 'instcmd');
    assert.equal(await c.request('INSTCMD ups1 test.battery.start.quick 30 40'), 'OK');
    assert.equal((await twoParams).param, undefined);
  });

  it('an instcmd grant covers only the named commands', async () => {
    const c = await h.connectAs('tester', 'ts');
    assert.equal(await c.request('INSTCMD ups1 test.battery.start.quick'), 'OK');
    assert.equal(await c.request('INSTCMD ups1 load.off'), 'ERR ACCESS-DENIED');
  });

  it('LOGOUT says OK Goodbye and closes, answering the rest of the same read first', async () => {
    const c = await h.connect();
    c.write('LOGOUT\nVER\n');
    assert.equal(await c.readLine(), 'OK Goodbye');
    assert.equal(await c.readLine(), 'Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/');
    await c.closed;
  });

  it('cuts a reply line at 512 bytes, newline included, as upsd does', async () => {
    const c = await h.connect();
    const name = 'n'.repeat(510);
    c.write(`GET VAR ${name} server.version\nVER\n`);
    const line = await c.readLine();
    assert.equal(line, `VAR ${name.slice(0, 508)}Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/`);
  });
});
