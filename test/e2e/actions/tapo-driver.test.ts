import { strict as assert } from 'node:assert';
import { TapoClient } from '../../../src/actions/tapo/client';
import { tapoDriver } from '../../../src/actions/tapo/driver';
import { ActionFailedError, TargetAuthError } from '../../../src/errors';
import { TapoSimulator, type TapoSimulatorOptions } from '../../../src/tapo/simulator';

const context = (timeoutMs = 5000) => ({ timeoutMs, signal: new AbortController().signal, force: false });

describe('tapo driver against the Tapo simulator (real HTTP)', function () {
  this.timeout(30_000);
  let simulator: TapoSimulator;
  let address: string;

  async function device(options: Partial<TapoSimulatorOptions> = {}): Promise<void> {
    simulator = new TapoSimulator({ email: 'me@example.com', password: 'pw:with:colons', transport: 'klap', ...options });
    const { host, port } = await simulator.start({ host: '127.0.0.1', port: 0 });
    address = `${host}:${port}`;
  }
  afterEach(() => simulator.stop());

  const driver = (credentials = 'me@example.com:pw:with:colons') =>
    tapoDriver('heater', { type: 'tapo', host: address, credentials: { secretRef: 'tapo' } }, () => Promise.resolve(credentials));

  for (const transport of ['klap', 'passthrough'] as const) {
    it(`${transport}: probe with the power drawn, off and on, verified`, async () => {
      await device({ transport, powerMw: 1_500_000 });
      const plug = driver();
      const probe = await plug.probe(context());
      assert.deepEqual([probe.reachable, probe.authenticated, probe.state], [true, true, 'on']);
      assert.match(probe.detail, /relay on, 1500 W/);
      await plug.act('off', context());
      assert.equal(simulator.deviceOn, false);
      assert.equal(await plug.verify('off', context()), true);
      await plug.act('on', context());
      assert.equal(simulator.deviceOn, true);
      assert.equal(simulator.mutatingCalls.length, 2);
    });

    it(`${transport}: wrong credentials are a typed authentication error`, async () => {
      await device({ transport });
      await assert.rejects(driver('me@example.com:wrong').act('off', context()), TargetAuthError);
      assert.equal(simulator.mutatingCalls.length, 0);
    });
  }

  for (const transport of ['klap', 'passthrough'] as const) {
    it(`${transport}: a session the device dropped (403 / 9999) is handshaken again without the caller noticing`, async () => {
      await device({ transport });
      const [host, port] = address.split(':') as [string, string];
      const client = new TapoClient('tapo heater', host, Number(port), 'me@example.com', 'pw:with:colons');
      try {
        assert.equal((await client.call('get_device_info')).device_on, true);
        const handshakes = simulator.stats.handshakes;
        simulator.expireSessions();
        await client.call('set_device_info', { device_on: false });
        assert.equal(simulator.deviceOn, false);
        assert.ok(simulator.stats.handshakes > handshakes);
      } finally {
        client.close();
      }
    });
  }

  it('klap: Third-Party Compatibility off is named in the error', async () => {
    await device({ thirdPartyCompatibility: false });
    await assert.rejects(driver().act('off', context()), (error: unknown) => error instanceof TargetAuthError && /Third-Party Compatibility/.test(error.message));
  });

  it('a device error code that is not retryable fails the action', async () => {
    await device();
    simulator.failNext(-1301);
    await assert.rejects(driver().act('off', context()), (error: unknown) => error instanceof ActionFailedError && /-1301/.test(error.message));
  });
});
