import { strict as assert } from 'node:assert';
import { ActionFailedError, TargetAuthError } from '../../../src/errors';
import { UpsDriver } from '../../../src/actions/ups';
import { defaultDemoUps, NutSimulator } from '../../../src/nut/simulator';
import type { UpsTarget } from '../../../src/policy/spec';
import { startRealUpsd, type RealUpsd } from '../../helpers/upsd';

const context = (timeoutMs = 10_000) => ({ timeoutMs, signal: new AbortController().signal, force: false });

describe('ups driver: the UPS\'s own power-off', function () {
  this.timeout(60_000);

  describe('against a real upsd (its own instance: FSD latches)', () => {
    let upsd: RealUpsd;
    before(async () => {
      upsd = await startRealUpsd();
    });
    after(() => upsd.stop());
    const driver = (spec: Partial<UpsTarget>, credentials = 'admin:adminpw'): UpsDriver => new UpsDriver('rack', {
      type: 'ups', ups: `dummy@127.0.0.1:${upsd.port}`, credentials: { secretRef: 'nut/admin' }, ...spec,
    }, () => Promise.resolve(credentials));

    it('probes the status read-only', async () => {
      const probe = await driver({}).probe(context());
      assert.deepEqual([probe.reachable, probe.state, probe.detail], [true, 'on', `ups rack (dummy@127.0.0.1:${upsd.port}): ups.status OL`]);
    });

    it('shutdown.return that the driver does not offer is a clear failure, not a retry', async () => {
      await assert.rejects(driver({}).act('poweroff', context()), (error: unknown) =>
        error instanceof ActionFailedError && !error.transient && /CMD-NOT-SUPPORTED: this UPS's driver does not offer shutdown.return/.test(error.message));
    });

    it('a wrong password is a typed authentication error naming the secret', async () => {
      await assert.rejects(driver({ method: 'fsd' }, 'admin:wrong').act('poweroff', context()), (error: unknown) =>
        error instanceof TargetAuthError && error.message.includes('secret "nut/admin"') && !error.message.includes('wrong'));
    });

    it('method fsd: PRIMARY then FSD, verified by FSD in ups.status', async () => {
      const ups = driver({ method: 'fsd' });
      assert.match((await ups.act('poweroff', context())).detail, /FSD/);
      assert.equal(await ups.verify('poweroff', context()), true);
    });
  });

  describe('against the NUT simulator (a UPS that offers shutdown.return)', () => {
    let simulator: NutSimulator;
    let port: number;
    before(async () => {
      simulator = new NutSimulator();
      const demo = defaultDemoUps();
      simulator.addUps(demo.name, demo.definition);
      simulator.addUser('admin', { password: 'pw', instcmds: ['shutdown.return'] });
      ({ port } = await simulator.start({ host: '127.0.0.1', port: 0 }));
      // The UPS reacts as a real one does: it starts its shutdown timer.
      simulator.on('instcmd', ({ ups, cmd }) => {
        if (cmd === 'shutdown.return') simulator.setVars(ups, { 'ups.timer.shutdown': '20' });
      });
    });
    after(() => simulator.stop());

    it('sends INSTCMD shutdown.return and verifies the running ups.timer.shutdown', async () => {
      const ups = new UpsDriver('rack', { type: 'ups', ups: `ups@127.0.0.1:${port}`, credentials: { secretRef: 'nut/admin' } }, () => Promise.resolve('admin:pw'));
      assert.match((await ups.act('poweroff', context())).detail, /shutdown.return accepted/);
      assert.equal(await ups.verify('poweroff', context()), true);
    });
  });
});
