import assert from 'node:assert/strict';
import { type Harness, nextEvent, startHarness, stopHarness } from './helpers';

describe('NUT simulator: faults', () => {
  let h: Harness;
  afterEach(() => stopHarness(h));

  describe('switches', () => {
    beforeEach(async () => (h = await startHarness()));

    it('dropConnections destroys every client socket and keeps listening', async () => {
      const a = await h.connectAs('mon', 'pw');
      const b = await h.connect();
      await a.request('LOGIN ups1');
      const reasons: string[] = [];
      h.sim.on('disconnect', (event) => reasons.push(event.reason));
      h.sim.dropConnections();
      await Promise.all([a.closed, b.closed]);
      assert.deepEqual(reasons, ['dropped', 'dropped']);
      assert.equal(h.sim.numLogins('ups1'), 0);
      const c = await h.connect();
      assert.equal(await c.request('NETVER'), '1.3');
    });

    it('stall reads requests but answers none of them until switched off', async () => {
      const c = await h.connect();
      h.sim.stall(true);
      const swallowed = nextEvent(h.sim, 'request');
      c.write('VER\n');
      const event = await swallowed;
      assert.deepEqual([event.args, event.stalled], [['VER'], true]);
      h.sim.stall(false);
      // the first line to arrive answers the request after the stall, not the one during it
      assert.equal(await c.request('NETVER'), '1.3');
    });

    it('garbage replaces the next reply of each connected client, once', async () => {
      const a = await h.connect();
      const b = await h.connect();
      h.sim.garbage('BOGUS REPLY "x');
      assert.equal(await a.request('VER'), 'BOGUS REPLY "x');
      assert.equal(await a.request('NETVER'), '1.3');
      // a whole LIST is replaced by the one line
      assert.deepEqual(await b.requestList('LIST UPS'), ['BOGUS REPLY "x']);
      assert.equal(await b.request('NETVER'), '1.3');
    });

    it('garbage can also be an unsolicited line, sent at once', async () => {
      const c = await h.connect();
      await c.request('VER');
      h.sim.garbage('NOISE FROM NOWHERE', 'unsolicited');
      assert.equal(await c.readLine(), 'NOISE FROM NOWHERE');
      assert.equal(await c.request('NETVER'), '1.3');
    });

    it('setStale makes one UPS answer DATA-STALE until switched off', async () => {
      const c = await h.connect();
      h.sim.setStale('ups1', true);
      assert.equal(await c.request('GET VAR ups1 ups.status'), 'ERR DATA-STALE');
      assert.equal(await c.request('GET VAR ups2 ups.status'), 'VAR ups2 ups.status "OB"');
      h.sim.setStale('ups1', false);
      assert.equal(await c.request('GET VAR ups1 ups.status'), 'VAR ups1 ups.status "OL"');
    });

    it('setDriverConnected(false) makes one UPS answer DRIVER-NOT-CONNECTED', async () => {
      const c = await h.connect();
      h.sim.setDriverConnected('ups2', false);
      assert.equal(await c.request('LIST VAR ups2'), 'ERR DRIVER-NOT-CONNECTED');
      h.sim.setDriverConnected('ups2', true);
      assert.equal(await c.request('GET VAR ups2 ups.status'), 'VAR ups2 ups.status "OB"');
    });

    it('setCommandFailure makes SET and INSTCMD fail at the driver', async () => {
      const c = await h.connectAs('admin', 'adm');
      h.sim.setCommandFailure('ups1', true);
      assert.equal(await c.request('SET VAR ups1 ups.load 5'), 'ERR SET-FAILED');
      assert.equal(await c.request('INSTCMD ups1 load.off'), 'ERR INSTCMD-FAILED');
      assert.equal(h.sim.getVar('ups1', 'ups.load'), '23');
    });

    it('refuses bad definitions from the host program', () => {
      assert.throws(() => h.sim.addUps('ups1', { vars: {} }), /UPS "ups1" already exists/);
      assert.throws(() => h.sim.addUps('two words', { vars: {} }), /UPS name "two words" must be a plain word/);
      assert.throws(() => h.sim.setVars('ups1', { 'bad name': 'x' }), /variable name "bad name"/);
      assert.throws(() => h.sim.addUser('u', { password: 'p', upsmon: 'master' as 'primary' }), /must be "primary" or "secondary"/);
    });

    it('a fault on an unknown UPS is a programming error', () => {
      assert.throws(() => h.sim.setStale('nosuch', true), /no simulated UPS named "nosuch"/);
    });
  });

  it('drops a client that sent no complete request for idleTimeoutMs', async () => {
    h = await startHarness({ idleTimeoutMs: 80 });
    const c = await h.connect();
    const dropped = nextEvent(h.sim, 'disconnect');
    const started = Date.now();
    // an unfinished line is not activity
    c.write('VE');
    await c.closed;
    assert.equal((await dropped).reason, 'idle');
    assert.ok(Date.now() - started >= 70, 'not before the timeout');
  });

  it('reads DATA-STALE once the data is older than maxAgeMs, fresh again after an update', async () => {
    let now = 1_000_000;
    h = await startHarness({ maxAgeMs: 15_000, now: () => now });
    const c = await h.connect();
    now += 15_000;
    assert.equal(await c.request('GET VAR ups1 ups.status'), 'VAR ups1 ups.status "OL"');
    now += 1;
    assert.equal(await c.request('GET VAR ups1 ups.status'), 'ERR DATA-STALE');
    h.sim.setStatus('ups1', 'OB');
    assert.equal(await c.request('GET VAR ups1 ups.status'), 'VAR ups1 ups.status "OB"');
    now += 20_000;
    h.sim.touch('ups1');
    assert.equal(await c.request('GET VAR ups1 ups.status'), 'VAR ups1 ups.status "OB"');
  });
});
