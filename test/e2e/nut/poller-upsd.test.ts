import { strict as assert } from 'node:assert';
import { EventBus } from '../../../src/bus';
import { silentLogger } from '../../../src/logger';
import { NutClient } from '../../../src/nut/client';
import { NutPoller } from '../../../src/nut/poller';
import { nutServerConfig, type NutServerConfig } from '../../../src/nut/server-config';
import { nextSnapshot, nextUpsEvent } from '../../helpers/bus';
import { DEFAULT_DEVICE, type RealUpsd, startRealUpsd } from '../../helpers/upsd';

const fastReconnect = { maxRetries: Number.POSITIVE_INFINITY, initialDelayMs: 100, maxDelayMs: 300 };

describe('NUT poller against a real upsd', function () {
  this.timeout(90_000);
  let upsd: RealUpsd;
  let bus: EventBus;
  let poller: NutPoller | undefined;

  const startPoller = (overrides: Partial<NutServerConfig> = {}): NutPoller => {
    poller = new NutPoller(nutServerConfig({ host: upsd.host, port: upsd.port, pollIntervalMs: 200, reconnect: fastReconnect, ...overrides }), bus, silentLogger());
    poller.start();
    return poller;
  };

  beforeEach(async () => {
    upsd = await startRealUpsd({ maxAge: 3 });
    bus = new EventBus();
  });
  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
    await upsd.stop();
  });

  it('publishes typed snapshots and sees OL → OB as ONBATT, then ONLINE', async () => {
    const first = nextSnapshot(bus, (s) => s.comm === 'ok');
    startPoller();
    const snapshot = await first;
    assert.equal(snapshot.server, `127.0.0.1:${upsd.port}`);
    assert.equal(snapshot.ups, 'dummy');
    assert.deepEqual(snapshot.flags, ['OL']);
    assert.equal(snapshot.batteryCharge, 100);
    assert.equal(snapshot.batteryRuntime, 1800);
    assert.equal(snapshot.inputVoltage, 230);

    const onBattery = nextUpsEvent(bus, 'ONBATT');
    upsd.writeDevice({ ...DEFAULT_DEVICE, 'ups.status': 'OB DISCHRG', 'input.voltage': '0' });
    const event = await onBattery;
    assert.equal(event.severity, 'warning');
    assert.equal(event.ups, 'dummy');

    const online = nextUpsEvent(bus, 'ONLINE');
    upsd.writeDevice({ ...DEFAULT_DEVICE, 'ups.status': 'OL CHRG' });
    await online;
  });

  it('upsd killed → COMMBAD; restarted → COMMOK, on the same poller', async () => {
    startPoller();
    await nextSnapshot(bus, (s) => s.comm === 'ok');
    const bad = nextUpsEvent(bus, 'COMMBAD');
    await upsd.killUpsd();
    assert.equal((await bad).data?.reason, 'connection-lost');
    const ok = nextUpsEvent(bus, 'COMMOK');
    await upsd.startUpsd();
    await ok;
  });

  it('driver killed → DRIVER-NOT-CONNECTED; a stopped driver past MAXAGE → DATA-STALE; NOCOMM after its time', async () => {
    startPoller({ noCommAfterMs: 1500 });
    await nextSnapshot(bus, (s) => s.comm === 'ok');

    const stale = nextUpsEvent(bus, 'COMMBAD', 20_000);
    upsd.stopDriver();
    assert.equal((await stale).data?.reason, 'data-stale');
    await nextUpsEvent(bus, 'NOCOMM', 10_000);
    const back = nextUpsEvent(bus, 'COMMOK', 20_000);
    upsd.continueDriver();
    await back;

    const gone = nextUpsEvent(bus, 'COMMBAD', 20_000);
    await upsd.killDriver();
    assert.equal((await gone).data?.reason, 'driver-not-connected');
  });

  it('logs in as a secondary (NUMLOGINS 1) and LOGOUTs when stopped', async () => {
    startPoller({ username: 'monuser', password: 'se#cret pw' });
    const observer = await NutClient.connect({ host: upsd.host, port: upsd.port });
    try {
      const deadline = Date.now() + 10_000;
      while ((await observer.getNumLogins('dummy')) !== 1) {
        assert.ok(Date.now() < deadline, 'the hub logged in');
        await nextSnapshot(bus, () => true);
      }
      assert.deepEqual(await observer.listClient('dummy'), ['127.0.0.1']);
      await poller?.stop();
      poller = undefined;
      assert.equal(await observer.getNumLogins('dummy'), 0, 'LOGOUT released the primary');
    } finally {
      observer.close();
    }
  });

  it('ACCESS-DENIED at login is a critical LOGIN_DENIED event, not silence', async () => {
    const denied = nextUpsEvent(bus, 'LOGIN_DENIED');
    startPoller({ username: 'monuser', password: 'wrong' });
    const event = await denied;
    assert.equal(event.severity, 'critical');
    assert.equal(event.data?.code, 'ACCESS-DENIED');
    assert.doesNotMatch(event.message, /wrong/);
  });
});
