import assert from 'node:assert/strict';
import { type Harness, type LineClient, startHarness, stopHarness } from './helpers';

/** Sends each request in turn and returns the first reply line of each. */
async function replies(client: LineClient, requests: string[]): Promise<string[]> {
  const result: string[] = [];
  for (const request of requests) result.push(await client.request(request));
  return result;
}

describe('NUT simulator: errors, in upsd order', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => stopHarness(h));

  it('commands that need a login ask for USERNAME first, then PASSWORD, before looking at their arguments', async () => {
    const c = await h.connect();
    const requests = ['LOGIN ups1', 'PRIMARY ups1', 'MASTER ups1', 'FSD ups1', 'SET VAR ups1 ups.id x', 'INSTCMD ups1 load.off', 'INSTCMD', 'SET'];
    assert.deepEqual(await replies(c, requests), requests.map(() => 'ERR USERNAME-REQUIRED'));
    assert.equal(await c.request('USERNAME admin'), 'OK');
    assert.deepEqual(await replies(c, requests), requests.map(() => 'ERR PASSWORD-REQUIRED'));
    // commands without that flag answer without a login
    assert.equal(await c.request('GET VAR ups1 ups.status'), 'VAR ups1 ups.status "OL"');
  });

  it('a wrong number of arguments is INVALID-ARGUMENT', async () => {
    const c = await h.connectAs('admin', 'adm');
    const requests = [
      'VER x', 'NETVER x', 'PROTVER x', 'HELP x', 'USERNAME', 'PASSWORD a b', 'LOGIN', 'LOGIN ups1 ups2', 'LOGOUT now',
      'PRIMARY', 'MASTER a b', 'FSD', 'GET', 'GET VAR', 'GET VAR ups1', 'GET TYPE ups1', 'GET FOO a b', 'GET UPSDESC',
      'LIST', 'LIST VAR', 'LIST ENUM ups1', 'LIST RANGE ups1', 'LIST FOO a b', 'SET', 'SET VAR ups1 ups.id', 'SET FOO bar',
      'SET TRACKING', 'SET TRACKING MAYBE', 'INSTCMD ups1',
    ];
    assert.deepEqual(await replies(c, requests), requests.map(() => 'ERR INVALID-ARGUMENT'));
  });

  it('an unknown command word, or an empty line, is UNKNOWN-COMMAND', async () => {
    const c = await h.connect();
    assert.equal(await c.request('FOO'), 'ERR UNKNOWN-COMMAND');
    assert.equal(await c.request(''), 'ERR UNKNOWN-COMMAND');
    assert.equal(await c.request('# just a comment'), 'ERR UNKNOWN-COMMAND');
  });

  it('a UPS is checked for UNKNOWN-UPS, then DRIVER-NOT-CONNECTED, then DATA-STALE', async () => {
    const c = await h.connectAs('mon', 'wrong-password');
    const requests = (ups: string): string[] => [
      `GET VAR ${ups} ups.status`, `GET TYPE ${ups} ups.id`, `GET DESC ${ups} ups.id`, `GET CMDDESC ${ups} load.off`,
      `GET NUMLOGINS ${ups}`, `LIST VAR ${ups}`, `LIST RW ${ups}`, `LIST CMD ${ups}`, `LIST ENUM ${ups} no.var`,
      `LIST RANGE ${ups} no.var`, `SET VAR ${ups} no.var x`, `INSTCMD ${ups} no.cmd`,
    ];
    h.sim.setStale('ups1', true);
    h.sim.setDriverConnected('ups1', false);
    const all = (code: string) => requests('ups1').map(() => `ERR ${code}`);
    assert.deepEqual(await replies(c, requests('nosuch')), all('UNKNOWN-UPS'));
    assert.deepEqual(await replies(c, requests('ups1')), all('DRIVER-NOT-CONNECTED'));
    h.sim.setDriverConnected('ups1', true);
    assert.deepEqual(await replies(c, requests('ups1')), all('DATA-STALE'));
    h.sim.setStale('ups1', false);
    assert.equal(await c.request('GET VAR ups1 ups.status'), 'VAR ups1 ups.status "OL"');
  });

  it('UPSDESC, LIST CLIENT, LOGIN, PRIMARY and FSD do not look at the driver (as upsd 2.8.0)', async () => {
    h.sim.setDriverConnected('ups1', false);
    const c = await h.connectAs('admin', 'adm');
    assert.equal(await c.request('GET UPSDESC ups1'), 'UPSDESC ups1 "Rack \\"A\\" \\\\ \\#1"');
    assert.equal(await c.request('LOGIN ups1'), 'OK');
    assert.deepEqual(await c.requestList('LIST CLIENT ups1'), ['BEGIN LIST CLIENT ups1', 'CLIENT ups1 127.0.0.1', 'END LIST CLIENT ups1']);
    assert.equal(await c.request('PRIMARY ups1'), 'OK PRIMARY-GRANTED');
    assert.equal(await c.request('FSD ups1'), 'OK FSD-SET');
    assert.equal(await c.request('GET NUMLOGINS ups1'), 'ERR DRIVER-NOT-CONNECTED');
  });

  it('SET VAR: ACCESS-DENIED, VAR-NOT-SUPPORTED, READONLY, TOO-LONG, INVALID-VALUE, SET-FAILED', async () => {
    h.sim.setCommandFailure('ups1', true);
    const mon = await h.connectAs('mon', 'pw');
    const wrongPassword = await h.connectAs('setter', 'nope');
    const setter = await h.connectAs('setter', 'st');
    // each request would also fail every later check
    assert.equal(await mon.request('SET VAR ups1 no.such.var x'), 'ERR ACCESS-DENIED');
    assert.equal(await wrongPassword.request('SET VAR ups1 no.such.var x'), 'ERR ACCESS-DENIED');
    assert.equal(await setter.request('SET VAR ups1 no.such.var x'), 'ERR VAR-NOT-SUPPORTED');
    assert.equal(await setter.request('SET VAR ups1 driver.name "far too long a value"'), 'ERR READONLY');
    assert.equal(await setter.request('SET VAR ups1 ups.id 123456789'), 'ERR TOO-LONG');
    assert.equal(await setter.request('SET VAR ups1 ups.beeper.status loud'), 'ERR INVALID-VALUE');
    assert.equal(await setter.request('SET VAR ups1 ups.beeper.status Muted'), 'ERR INVALID-VALUE');
    assert.equal(await setter.request('SET VAR ups1 ups.delay.shutdown 200'), 'ERR INVALID-VALUE');
    assert.equal(await setter.request('SET VAR ups1 ups.id 12345678'), 'ERR SET-FAILED');
    h.sim.setCommandFailure('ups1', false);
    assert.equal(await setter.request('SET VAR ups1 ups.id 12345678'), 'OK');
    assert.equal(await setter.request('SET VAR ups1 ups.delay.shutdown 450'), 'OK');
    // the range check reads the leading integer, like C's atoi: "abc" is 0, which is in range
    assert.equal(await setter.request('SET VAR ups1 ups.delay.shutdown abc'), 'OK');
    assert.equal(await setter.request('SET VAR ups1 ups.delay.shutdown 130s'), 'ERR INVALID-VALUE');
  });

  it('SET VAR on a string variable declared without room is SET-FAILED', async () => {
    h.sim.addUps('odd', { vars: { 'ups.id': 'x' }, rw: ['ups.id'], strings: { 'ups.id': 0 } });
    const setter = await h.connectAs('setter', 'st');
    assert.equal(await setter.request('SET VAR odd ups.id y'), 'ERR SET-FAILED');
  });

  it('INSTCMD: CMD-NOT-SUPPORTED, then ACCESS-DENIED, then INSTCMD-FAILED', async () => {
    h.sim.setCommandFailure('ups1', true);
    const mon = await h.connectAs('mon', 'pw');
    const admin = await h.connectAs('admin', 'adm');
    assert.equal(await mon.request('INSTCMD ups1 no.such.cmd'), 'ERR CMD-NOT-SUPPORTED');
    assert.equal(await mon.request('INSTCMD ups1 load.off'), 'ERR ACCESS-DENIED');
    assert.equal(await admin.request('INSTCMD ups1 load.off'), 'ERR INSTCMD-FAILED');
  });

  it('LOGIN: ALREADY-LOGGED-IN, then UNKNOWN-UPS, then ACCESS-DENIED (an upsmon role is needed)', async () => {
    const wrong = await h.connectAs('mon', 'wrong');
    assert.equal(await wrong.request('LOGIN nosuch'), 'ERR UNKNOWN-UPS');
    assert.equal(await wrong.request('LOGIN ups1'), 'ERR ACCESS-DENIED');
    const setter = await h.connectAs('setter', 'st');
    assert.equal(await setter.request('LOGIN ups1'), 'ERR ACCESS-DENIED');
    const mon = await h.connectAs('mon', 'pw');
    assert.equal(await mon.request('LOGIN ups1'), 'OK');
    assert.equal(await mon.request('LOGIN nosuch'), 'ERR ALREADY-LOGGED-IN');
    const ghost = await h.connectAs('ghost', 'pw');
    assert.equal(await ghost.request('LOGIN ups1'), 'ERR ACCESS-DENIED');
  });

  it('PRIMARY and FSD: UNKNOWN-UPS before ACCESS-DENIED', async () => {
    const mon = await h.connectAs('mon', 'pw');
    assert.equal(await mon.request('PRIMARY nosuch'), 'ERR UNKNOWN-UPS');
    assert.equal(await mon.request('FSD nosuch'), 'ERR UNKNOWN-UPS');
    assert.equal(await mon.request('FSD ups1'), 'ERR ACCESS-DENIED');
    const setter = await h.connectAs('setter', 'st');
    assert.equal(await setter.request('FSD ups1'), 'ERR ACCESS-DENIED');
    assert.equal(h.sim.isFsd('ups1'), false);
  });

  it('GET TRACKING with an id needs tracking on for this connection', async () => {
    const c = await h.connect();
    assert.equal(await c.request('GET TRACKING 00000000-0000-4000-8000-000000000000'), 'ERR FEATURE-NOT-CONFIGURED');
  });
});
