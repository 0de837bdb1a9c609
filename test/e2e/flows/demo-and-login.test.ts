/**
 * What a newcomer gets: a fresh data folder starts the demo (the simulated UPS
 * and devices, the default flow running the demo policy in dry run), and once
 * an editor user exists the editor asks for a login; without one, a bind
 * beyond loopback is refused.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { spawnHub, type RunningHub } from '../../helpers/hub';
import { recordTopics } from '../../helpers/mqtt';
import { exited, ROOT, runNode, walnut } from '../../helpers/process';
import { tempDir } from '../../helpers/temp';

describe('the demo and the editor login', function () {
  this.timeout(120_000);
  const dataDir = tempDir();
  const env = { WALNUT_DATA_DIR: dataDir, WALNUT_RULES_DIR: path.join(ROOT, 'rules'), WALNUT_DEMO_DEVICES: 'true' };
  let hub: RunningHub | undefined;

  afterEach(async () => {
    if (hub && hub.child.exitCode === null) {
      hub.child.kill('SIGTERM');
      await exited(hub.child);
    }
  });

  it('starts the demo on a fresh data folder: the policy runs in dry run on the simulated UPS, its devices answer', async () => {
    hub = await spawnHub(env);
    await hub.waitFor(/demo mode: simulated Shelly, Tapo and Proxmox devices/);
    for (const target of ['demo-plug', 'demo-lamp', 'demo-pve']) {
      const probe = await walnut(['targets', 'probe', target], env);
      assert.match(probe.stdout, /reachable: yes, logged in: yes/, `${target}: ${probe.stdout}${probe.stderr}`);
    }
    const { password } = JSON.parse((await walnut(['mqtt', 'credentials', '--json'], env)).stdout) as { password: string };
    const recorder = await recordTopics(hub.mqtt, ['walnut/default/policy/demo/state'], { username: 'homeassistant', password });
    const state = await recorder.waitFor((message) => (JSON.parse(message.payload) as { state: string }).state === 'idle', 'the demo policy running (claimed by the default flow)');
    assert.deepEqual(JSON.parse(state.payload), { ...(JSON.parse(state.payload) as object), armed: true, dry_run: true, simulating: false });
    recorder.client.end(true);
    const editor = await fetch(new URL('flows', hub.http), { headers: { 'Node-RED-API-Version': 'v2' } });
    assert.equal(editor.status, 200, 'no user yet: the editor (on loopback) is open');
  });

  it('asks for a login once a user exists, and accepts the right password only', async () => {
    const added = await walnut(['users', 'add', 'alice', '--stdin'], env, 'correct horse battery\n');
    assert.equal(added.code, 0, added.stderr);
    hub = await spawnHub(env);
    const flows = new URL('flows', hub.http);
    assert.equal((await fetch(flows)).status, 401);
    const token = async (password: string): Promise<Response> => fetch(new URL('auth/token', hub!.http), {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: 'node-red-editor', grant_type: 'password', scope: '*', username: 'alice', password }),
    });
    assert.equal((await token('wrong password here')).status, 403);
    const granted = await token('correct horse battery');
    assert.equal(granted.status, 200);
    const { access_token: accessToken } = (await granted.json()) as { access_token: string };
    assert.equal((await fetch(flows, { headers: { Authorization: `Bearer ${accessToken}` } })).status, 200);
  });

  it('refuses to open the editor beyond loopback while no user exists', async () => {
    const result = await runNode('src/hub/main.js', [], { WALNUT_DATA_DIR: tempDir(), WALNUT_HTTP_HOST: '0.0.0.0', WALNUT_HTTP_PORT: '0', WALNUT_MQTT_PORT: '0', WALNUT_DEMO_NUT_PORT: '0', WALNUT_DEMO_DEVICES: 'false' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /walnut users add NAME/);
  });
});
