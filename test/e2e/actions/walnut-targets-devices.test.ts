import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ProxmoxSimulator } from '../../../src/proxmox/simulator';
import { ShellySimulator } from '../../../src/shelly/simulator';
import { TapoSimulator } from '../../../src/tapo/simulator';
import { walnut, walnutDb } from '../../helpers/process';
import { tempDir, testKey } from '../../helpers/temp';

describe('walnut targets probe and run against the device simulators', function () {
  this.timeout(90_000);
  let proxmox: ProxmoxSimulator;
  let tapo: TapoSimulator;
  let shelly: ShellySimulator;
  let env: Record<string, string>;

  before(async () => {
    proxmox = new ProxmoxSimulator({ taskMs: 100, authFailureDelayMs: 0 });
    proxmox.addNode('pve');
    proxmox.addToken('walnut@pve!cli', 'cli-secret');
    proxmox.addGuest({ vmid: 101, type: 'qemu', node: 'pve', name: 'web', status: 'running' });
    const pve = await proxmox.start({ host: '127.0.0.1', port: 0 });
    tapo = new TapoSimulator({ email: 'me@example.com', password: 'tapo-pw', transport: 'klap' });
    const plug = await tapo.start({ host: '127.0.0.1', port: 0 });
    shelly = new ShellySimulator({ gen: 2, password: 'shelly-pw' });
    const relay = await shelly.start({ host: '127.0.0.1', port: 0 });

    const dir = tempDir();
    const rules = path.join(dir, 'rules');
    fs.mkdirSync(rules);
    fs.writeFileSync(path.join(rules, 'targets.yaml'), `apiVersion: walnut/v1
kind: Targets
targets:
  pve:
    type: proxmox
    url: ${pve.url}
    token: { secretRef: pve-token }
    tls_fingerprint: "${pve.fingerprint256}"
    node: pve
    guests: { ids: [101] }
  heater:
    type: tapo
    host: "${plug.host}:${plug.port}"
    credentials: { secretRef: tapo }
  fan:
    type: shelly
    host: "${relay.host}:${relay.port}"
    credentials: { secretRef: shelly }
`);
    env = { WALNUT_DB_PATH: path.join(dir, 'walnut.db'), WALNUT_DB_KEY: testKey(), WALNUT_RULES_DIR: rules };
    assert.equal((await walnutDb(['init'], env)).code, 0);
    for (const [name, value] of [['pve-token', 'walnut@pve!cli=cli-secret'], ['tapo', 'me@example.com:tapo-pw'], ['shelly', 'admin:shelly-pw']]) {
      assert.equal((await walnut(['secrets', 'set', name!, '--stdin'], env, value)).code, 0);
    }
  });
  after(async () => {
    await proxmox.stop();
    await tapo.stop();
    await shelly.stop();
  });

  for (const [target, op] of [['pve', 'shutdown'], ['heater', 'off'], ['fan', 'off']] as const) {
    it(`${target}: probe, a dry run that changes nothing, then ${op} for real`, async () => {
      const probe = await walnut(['targets', 'probe', target, '--json'], env);
      assert.equal(probe.code, 0, probe.stdout + probe.stderr);
      assert.equal((JSON.parse(probe.stdout) as { authenticated: boolean }).authenticated, true);

      const mutations = (): number => (target === 'pve' ? proxmox.mutatingCalls.length : target === 'heater' ? tapo.mutatingCalls.length : shelly.mutatingCalls.length);
      const dry = await walnut(['targets', 'run', target, '--op', op, '--dry-run'], env);
      assert.equal(dry.code, 0, dry.stdout + dry.stderr);
      assert.equal(mutations(), 0, 'a dry run reaches no mutating call');

      const run = await walnut(['targets', 'run', target, '--op', op, '--json'], env);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal((JSON.parse(run.stdout) as { state: string }).state, 'completed');
      assert.ok(mutations() >= 1);
      for (const secret of ['cli-secret', 'tapo-pw', 'shelly-pw']) assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret));
    });
  }
});

describe('walnut rules plan --measure: plugs feed the runtime budget', function () {
  this.timeout(60_000);

  it('the power a Tapo and a Shelly plug meter now becomes their watts in the plan', async () => {
    const tapo = new TapoSimulator({ email: 'me@example.com', password: 'tapo-pw', transport: 'klap', powerMw: 150_000 });
    const heater = await tapo.start({ host: '127.0.0.1', port: 0 });
    const shelly = new ShellySimulator({ gen: 1, powerW: 60 });
    const lamp = await shelly.start({ host: '127.0.0.1', port: 0 });
    try {
      const dir = tempDir();
      const rules = path.join(dir, 'rules');
      fs.mkdirSync(rules);
      fs.writeFileSync(path.join(rules, 'lab.yaml'), `apiVersion: walnut/v1
kind: Targets
targets:
  heater: { type: tapo, host: "${heater.host}:${heater.port}", credentials: { secretRef: tapo } }
  lamp: { type: shelly, host: "${lamp.host}:${lamp.port}" }
---
apiVersion: walnut/v1
kind: Policy
name: shed
ups: [ups]
triggers: { any: [{ on_battery: {} }] }
stages:
  - { name: plugs, timeout: 30s, actions: [{ target: heater, op: 'off' }, { target: lamp, op: 'off' }] }
`);
      const env = { WALNUT_DB_PATH: path.join(dir, 'walnut.db'), WALNUT_DB_KEY: testKey(), WALNUT_RULES_DIR: rules };
      assert.equal((await walnutDb(['init'], env)).code, 0);
      assert.equal((await walnut(['secrets', 'set', 'tapo', '--stdin'], env, 'me@example.com:tapo-pw')).code, 0);
      const unmeasured = await walnut(['rules', 'plan', 'shed', '--runtime', '10m', '--load-watts', '400'], env);
      assert.match(unmeasured.stdout, /plugs .* sheds 0 W/);
      const measured = await walnut(['rules', 'plan', 'shed', '--runtime', '10m', '--load-watts', '400', '--measure', '--json'], env);
      assert.equal(measured.code, 0, measured.stderr);
      const [plan] = JSON.parse(measured.stdout) as Array<{ stages: Array<{ shedW: number }> }>;
      assert.equal(plan!.stages[0]!.shedW, 210, '150 W from the Tapo plus 60 W from the Shelly');
      assert.deepEqual(tapo.mutatingCalls, [], 'measuring only reads');
      assert.deepEqual(shelly.mutatingCalls, []);
    } finally {
      await tapo.stop();
      await shelly.stop();
    }
  });
});
