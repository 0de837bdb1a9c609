import { strict as assert } from 'node:assert';
import { ShellyClient } from '../../../src/actions/shelly/client';
import { shellyDriver } from '../../../src/actions/shelly/driver';
import { TargetAuthError, TargetUnreachableError } from '../../../src/errors';
import { ShellySimulator, type ShellySimulatorOptions } from '../../../src/shelly/simulator';
import { freePort } from '../../helpers/upsd';

const context = (timeoutMs = 5000) => ({ timeoutMs, signal: new AbortController().signal, force: false });

describe('shelly driver against the Shelly simulator (real HTTP)', function () {
  this.timeout(30_000);
  let simulator: ShellySimulator;
  let address: string;

  async function device(options: ShellySimulatorOptions): Promise<void> {
    simulator = new ShellySimulator(options);
    const { host, port } = await simulator.start({ host: '127.0.0.1', port: 0 });
    address = `${host}:${port}`;
  }
  afterEach(() => simulator.stop());

  const driver = (password?: string) => shellyDriver('plug', {
    type: 'shelly', host: address, channel: 0, ...(password === undefined ? {} : { credentials: { secretRef: 'shelly' } }),
  }, () => Promise.resolve(`admin:${password ?? ''}`));

  for (const gen of [1, 2] as const) {
    it(`Gen${gen}: probe with power, off and on, verified by reading the relay back`, async () => {
      await device({ gen, password: 'pw', powerW: 12.5 });
      const plug = driver('pw');
      const probe = await plug.probe(context());
      assert.deepEqual([probe.reachable, probe.authenticated, probe.state], [true, true, 'on']);
      assert.match(probe.detail, /relay on, 12\.5 W/);
      await plug.act('off', context());
      assert.equal(simulator.isOn(0), false);
      assert.equal(await plug.verify('off', context()), true);
      await plug.act('on', context());
      assert.equal(await plug.verify('on', context()), true);
      assert.deepEqual(simulator.mutatingCalls.map((call) => call.on), [false, true]);
    });

    it(`Gen${gen}: a wrong password is a typed authentication error`, async () => {
      await device({ gen, password: 'pw' });
      await assert.rejects(driver('nope').act('off', context()), TargetAuthError);
      assert.equal(simulator.mutatingCalls.length, 0);
    });
  }

  for (const nonceStyle of ['numeric', 'opaque'] as const) {
    it(`Gen2 digest with ${nonceStyle} nonces; a stale nonce is re-challenged, not reported as a bad password`, async () => {
      await device({ gen: 2, password: 'pw', nonceStyle, nonceMaxUses: 3 });
      const [host, port] = address.split(':') as [string, string];
      const client = new ShellyClient('shelly plug', host, Number(port), 'pw');
      try {
        await client.set(0, false);
        simulator.expireNonces();
        assert.deepEqual(await client.status(0), { on: false, powerW: 0 });
        assert.equal(simulator.stats.stale, 1, 'the expired nonce was answered with stale=true');
        for (let call = 0; call < 4; call += 1) await client.status(0); // past nonceMaxUses: stale again
        await client.set(0, true);
        assert.ok(simulator.stats.stale >= 2);
        assert.equal(simulator.isOn(0), true);
      } finally {
        client.close();
      }
    });
  }

  it('Gen2: 429 when nonces are asked for too fast is backed off and retried', async () => {
    await device({ gen: 2, password: 'pw', nonceSlots: 1 });
    await Promise.all([driver('pw').act('off', context(10_000)), driver('pw').act('off', context(10_000)), driver('pw').act('off', context(10_000))]);
    assert.equal(simulator.isOn(0), false);
    assert.ok(simulator.stats.tooMany >= 1, 'the simulator did answer 429');
  });

  it('a device that is not there is a typed unreachable error', async () => {
    await device({ gen: 2 });
    address = `127.0.0.1:${await freePort()}`;
    await assert.rejects(driver().act('off', context()), TargetUnreachableError);
  });
});
