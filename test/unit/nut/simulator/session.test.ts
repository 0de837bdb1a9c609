import assert from 'node:assert/strict';
import { type Harness, LineClient, nextEvent, startHarness, stopHarness, withoutClient } from './helpers';

const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;

describe('NUT simulator: connections, logins, FSD and tracking', () => {
  let h: Harness;
  afterEach(() => stopHarness(h));

  describe('framing', () => {
    beforeEach(async () => (h = await startHarness()));

    it('answers two requests written at once, in order', async () => {
      const c = await h.connect();
      c.write('GET VAR ups1 ups.status\nNETVER\n');
      assert.equal(await c.readLine(), 'VAR ups1 ups.status "OL"');
      assert.equal(await c.readLine(), '1.3');
    });

    it('waits for the newline of a request split across writes', async () => {
      const c = await h.connect();
      const request = nextEvent(h.sim, 'request');
      c.write('GET VAR up');
      c.write('s1 ups.lo');
      c.write('ad\n');
      assert.deepEqual((await request).args, ['GET', 'VAR', 'ups1', 'ups.load']);
      assert.equal(await c.readLine(), 'VAR ups1 ups.load "23"');
    });

    it('answers a whole LIST as one block before the next reply', async () => {
      const c = await h.connect();
      c.write('LIST CMD ups1\nVER\n');
      const lines = [];
      for (let i = 0; i < 6; i++) lines.push(await c.readLine());
      assert.equal(lines[0], 'BEGIN LIST CMD ups1');
      assert.equal(lines[4], 'END LIST CMD ups1');
      assert.match(lines[5] ?? '', /^Network UPS Tools upsd/);
    });

    it('drops the rest of a read after a # inside quotes, like upsd, and carries on with the next read', async () => {
      const c = await h.connect();
      const parseError = nextEvent(h.sim, 'parseError');
      c.write('GET VAR "a#b" server.version\nVER\n');
      assert.match((await parseError).message, /#/);
      // nothing came back for that read: the next reply is for the next request
      assert.equal(await c.request('NETVER'), '1.3');
      assert.equal(c.partial, '');
    });
  });

  describe('logins', () => {
    beforeEach(async () => (h = await startHarness()));

    it('LOGIN counts in NUMLOGINS and LIST CLIENT (canonical UPS name, client address), and emits login', async () => {
      const a = await h.connectAs('mon', 'pw');
      const login = nextEvent(h.sim, 'login');
      assert.equal(await a.request('LOGIN UPS1'), 'OK');
      assert.deepEqual(withoutClient(await login), { ups: 'ups1', user: 'mon' });
      const b = await h.connectAs('admin', 'adm');
      assert.equal(await b.request('LOGIN ups1'), 'OK');
      assert.equal(await b.request('GET NUMLOGINS Ups1'), 'NUMLOGINS Ups1 2');
      assert.deepEqual(await b.requestList('LIST CLIENT Ups1'), [
        'BEGIN LIST CLIENT Ups1',
        'CLIENT ups1 127.0.0.1',
        'CLIENT ups1 127.0.0.1',
        'END LIST CLIENT Ups1',
      ]);
      assert.deepEqual(await b.requestList('LIST CLIENT ups2'), ['BEGIN LIST CLIENT ups2', 'END LIST CLIENT ups2']);
      assert.equal(h.sim.numLogins('ups1'), 2);
    });

    it('a login stops counting when its connection ends, by LOGOUT or otherwise', async () => {
      const a = await h.connectAs('mon', 'pw');
      const b = await h.connectAs('mon', 'pw');
      await a.request('LOGIN ups1');
      await b.request('LOGIN ups1');
      const logout = nextEvent(h.sim, 'logout');
      const gone = nextEvent(h.sim, 'disconnect');
      assert.equal(await a.request('LOGOUT'), 'OK Goodbye');
      assert.deepEqual(withoutClient(await logout), { user: 'mon', ups: 'ups1' });
      assert.equal((await gone).reason, 'logout');
      await a.closed;
      assert.equal(h.sim.numLogins('ups1'), 1);
      const closed = nextEvent(h.sim, 'disconnect');
      b.close();
      assert.equal((await closed).reason, 'client');
      assert.equal(h.sim.numLogins('ups1'), 0);
    });

    it('removing a UPS disconnects the clients logged into it', async () => {
      const a = await h.connectAs('mon', 'pw');
      await a.request('LOGIN ups2');
      const other = await h.connect();
      h.sim.removeUps('ups2');
      await a.closed;
      assert.equal(await other.request('GET VAR ups2 ups.status'), 'ERR UNKNOWN-UPS');
    });

    it('lists connected clients for the host program', async () => {
      const a = await h.connect();
      await a.request('VER');
      const clients = h.sim.clients();
      assert.equal(clients.length, 1);
      assert.equal(clients[0]?.address, '127.0.0.1');
      assert.equal(clients[0]?.port, a.socket.localPort);
    });
  });

  describe('FSD', () => {
    beforeEach(async () => (h = await startHarness()));

    it('sets a latch: ups.status reads "FSD <status>" in GET and LIST VAR (not LIST RW) until a restart', async () => {
      const admin = await h.connectAs('admin', 'adm');
      const fsd = nextEvent(h.sim, 'fsd');
      assert.equal(await admin.request('FSD ups1'), 'OK FSD-SET');
      assert.deepEqual(withoutClient(await fsd), { ups: 'ups1', user: 'admin' });
      assert.equal(await admin.request('GET VAR ups1 ups.status'), 'VAR ups1 ups.status "FSD OL"');
      assert.ok((await admin.requestList('LIST VAR ups1')).includes('VAR ups1 ups.status "FSD OL"'));
      assert.equal(await admin.request('GET VAR ups2 ups.status'), 'VAR ups2 ups.status "OB"');

      // the driver's status changes underneath; the latch stays
      h.sim.setStatus('ups1', 'OB LB');
      assert.equal(await admin.request('GET VAR ups1 ups.status'), 'VAR ups1 ups.status "FSD OB LB"');
      h.sim.setStatus('ups1', 'OL');
      assert.equal(await admin.request('GET VAR ups1 ups.status'), 'VAR ups1 ups.status "FSD OL"');
      assert.equal(h.sim.getVar('ups1', 'ups.status'), 'OL');
      assert.equal(h.sim.isFsd('ups1'), true);

      await h.sim.stop();
      const { port } = await h.sim.start();
      const after = await LineClient.connect(port);
      try {
        assert.equal(await after.request('GET VAR ups1 ups.status'), 'VAR ups1 ups.status "OL"');
      } finally {
        after.close();
      }
    });

    it('an upsmon primary may FSD; so may a user granted actions FSD', async () => {
      h.sim.addUser('fsdonly', { password: 'f', actions: ['FSD'] });
      const c = await h.connectAs('fsdonly', 'f');
      assert.equal(await c.request('FSD ups2'), 'OK FSD-SET');
      h.sim.clearFsd('ups2');
      assert.equal(await c.request('GET VAR ups2 ups.status'), 'VAR ups2 ups.status "OB"');
    });
  });

  describe('tracking', () => {
    it('after SET TRACKING ON, SET and INSTCMD answer OK TRACKING <uuid>, PENDING until the driver reports SUCCESS', async () => {
      h = await startHarness({ trackingDelayMs: Infinity });
      const c = await h.connectAs('admin', 'adm');
      assert.equal(await c.request('SET TRACKING ON'), 'OK');
      assert.equal(await c.request('GET TRACKING'), 'ON');
      const instcmd = nextEvent(h.sim, 'instcmd');
      const reply = await c.request('INSTCMD ups1 load.off');
      const [ok, word, id = ''] = reply.split(' ');
      assert.equal(`${ok} ${word}`, 'OK TRACKING');
      assert.match(id, UUID);
      assert.equal((await instcmd).trackingId, id);
      assert.equal(await c.request(`GET TRACKING ${id}`), 'PENDING');
      assert.deepEqual(h.sim.pendingTracking(), [id]);

      const tracked = nextEvent(h.sim, 'tracking');
      assert.equal(h.sim.resolveTracking(id), true);
      assert.deepEqual(await tracked, { id, result: 'SUCCESS' });
      assert.equal(await c.request(`GET TRACKING ${id.toLowerCase()}`), 'SUCCESS');
      assert.equal(h.sim.resolveTracking(id, 'ERR FAILED'), false);

      const setReply = await c.request('SET VAR ups1 ups.load 40');
      const setId = setReply.split(' ')[2] ?? '';
      assert.match(setId, UUID);
      h.sim.resolveTracking(setId, 'ERR FAILED');
      assert.equal(await c.request(`GET TRACKING ${setId}`), 'ERR FAILED');
      assert.equal(await c.request('GET TRACKING 00000000-0000-4000-8000-000000000000'), 'ERR UNKNOWN');
      // a refused request gets its error, not a tracking id
      assert.equal(await c.request('INSTCMD ups1 no.such'), 'ERR CMD-NOT-SUPPORTED');

      assert.equal(await c.request('SET TRACKING off'), 'OK');
      assert.equal(await c.request('GET TRACKING'), 'OFF');
      assert.equal(await c.request('INSTCMD ups1 load.off'), 'OK');
    });

    it('the simulated driver reports SUCCESS by itself after trackingDelayMs', async () => {
      h = await startHarness({ trackingDelayMs: 5 });
      const c = await h.connectAs('admin', 'adm');
      await c.request('SET TRACKING ON');
      const tracked = nextEvent(h.sim, 'tracking');
      const id = (await c.request('INSTCMD ups1 beeper.mute')).split(' ')[2] ?? '';
      assert.deepEqual(await tracked, { id, result: 'SUCCESS' });
      assert.equal(await c.request(`GET TRACKING ${id}`), 'SUCCESS');
    });

    it('is per connection: others still get plain OK', async () => {
      h = await startHarness({ trackingDelayMs: Infinity });
      const tracked = await h.connectAs('admin', 'adm');
      const plain = await h.connectAs('admin', 'adm');
      await tracked.request('SET TRACKING ON');
      assert.equal(await plain.request('INSTCMD ups1 load.off'), 'OK');
      assert.equal(await plain.request('GET TRACKING'), 'OFF');
    });
  });
});
