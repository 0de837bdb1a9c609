import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import mqtt from 'mqtt';
import { Store } from '../../src/store/store';
import { spawnHub } from '../helpers/hub';
import { exited, runNode, walnut } from '../helpers/process';
import { tempDir } from '../helpers/temp';

describe('hub boot', () => {
  it('starts store, broker and Node-RED, refuses a second hub on the same file, and stops gracefully on SIGTERM', async () => {
    const dataDir = tempDir();
    const hub = await spawnHub({ WALNUT_DATA_DIR: dataDir });
    try {
      assert.equal(hub.dbPath, path.join(dataDir, 'walnut.db'));
      assert.equal(fs.statSync(`${hub.dbPath}.key`).mode & 0o777, 0o600, 'first start generated its key file');

      const editor = await fetch(hub.http);
      assert.equal(editor.status, 200);
      assert.match(await editor.text(), /Node-RED/);
      const flows = await fetch(new URL('flows', hub.http), { headers: { 'Node-RED-API-Version': 'v2' } });
      assert.equal(flows.status, 200, 'the admin API answers');
      const nodes = (await (await fetch(new URL('nodes', hub.http), { headers: { Accept: 'application/json' } })).json()) as Array<{ module: string; types: string[]; enabled: boolean; err?: string }>;
      const ours = nodes.filter((set) => set.module === 'walnut-hub');
      assert.deepEqual(ours.flatMap((set) => set.types).sort(), ['archive', 'nut-server', 'nut-ups', 'policy', 'shutdown-proxmox', 'shutdown-ssh', 'switch-shelly', 'switch-tapo', 'ups-power', 'wake-on-lan'], 'our nodes are loaded as one module from the package root');
      assert.ok(ours.every((set) => set.enabled && set.err === undefined), JSON.stringify(ours));

      await hub.waitFor(/"msg":"UPS registered"/);
      const metrics = await fetch(new URL('metrics', hub.http));
      assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
      assert.match(await metrics.text(), /walnut_ups_battery_charge_percent\{ups="ups",server="127\.0\.0\.1:\d+",site="default"\} \d+/, 'Prometheus gauges for the watched UPS');

      await assert.rejects(mqtt.connectAsync(hub.mqtt, { clientId: 'anonymous', reconnectPeriod: 0 }), 'the embedded broker wants a login');
      const shown = await walnut(['mqtt', 'credentials', '--json'], { WALNUT_DATA_DIR: dataDir });
      const { username, password } = JSON.parse(shown.stdout) as { username: string; password: string };
      const client = await mqtt.connectAsync(hub.mqtt, { clientId: 'boot-test', reconnectPeriod: 0, username, password });
      const received = new Promise<string>((resolve) => client.on('message', (_topic, payload) => resolve(payload.toString())));
      await client.subscribeAsync('homeassistant/status');
      await client.publishAsync('homeassistant/status', 'hello');
      assert.equal(await received, 'hello', 'the embedded broker routes messages');
      // The hub's own account, for an mqtt-broker node in a flow: it may publish where Home Assistant's may not.
      const hubAccount = JSON.parse((await walnut(['mqtt', 'credentials', '--account', 'walnut-hub', '--json'], { WALNUT_DATA_DIR: dataDir })).stdout) as { username: string; password: string };
      assert.equal(hubAccount.username, 'walnut-hub');
      const flowClient = await mqtt.connectAsync(hub.mqtt, { clientId: 'flow-test', reconnectPeriod: 0, username: hubAccount.username, password: hubAccount.password });
      const notified = new Promise<string>((resolve) => client.on('message', (topic) => { if (topic === 'walnut/notify/test') resolve(topic); }));
      await client.subscribeAsync('walnut/notify/#');
      await flowClient.publishAsync('walnut/notify/test', '{}');
      assert.equal(await notified, 'walnut/notify/test');
      await flowClient.endAsync();
      assert.equal((await walnut(['mqtt', 'credentials', '--account', 'root'], { WALNUT_DATA_DIR: dataDir })).code, 2);

      const second = await runNode('src/hub/main.js', [], { WALNUT_DATA_DIR: dataDir, WALNUT_HTTP_PORT: '0', WALNUT_MQTT_PORT: '0' });
      assert.equal(second.code, 1);
      assert.match(second.stderr, new RegExp(`walnut: cannot start: ${hub.dbPath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is in use by walnut hub \\(pid ${hub.child.pid}`));

      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      hub.child.kill('SIGTERM');
      const exit = await exited(hub.child);
      assert.deepEqual(exit, { code: 0, signal: null }, hub.output());
      await closed; // the broker hung up on its client
      assert.match(hub.output(), /"msg":"stopped"/);
      client.end(true);
    } finally {
      if (hub.child.exitCode === null) hub.child.kill('SIGKILL');
    }

    // The lock went with the hub: the store opens exclusively again.
    const store = await Store.open({ settings: { dbPath: hub.dbPath, production: false, allowNetworkFs: false }, env: {}, lockAs: 'after the hub' });
    await store.close();
  });

  it('fails fast with a clear message when its HTTP port is taken, and stops on SIGINT', async () => {
    const dataDir = tempDir();
    const first = await spawnHub({ WALNUT_DATA_DIR: dataDir });
    try {
      const port = new URL(first.http).port;
      const result = await runNode('src/hub/main.js', [], { WALNUT_DATA_DIR: tempDir(), WALNUT_HTTP_PORT: port, WALNUT_MQTT_PORT: '0' });
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`http: cannot listen on 127.0.0.1:${port}: EADDRINUSE`));
    } finally {
      first.child.kill('SIGINT');
      assert.deepEqual(await exited(first.child), { code: 0, signal: null }, 'Ctrl-C stops it gracefully too');
    }
  });
});
