import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { spawnHub } from '../helpers/hub';
import { exited, runNode, walnut, walnutDb } from '../helpers/process';
import { tempDir, testKey } from '../helpers/temp';
import { type RealUpsd, startRealUpsd } from '../helpers/upsd';

interface Info {
  rows: Record<string, number>;
}

describe('hub and NUT', function () {
  this.timeout(60_000);

  it('with no NUT server configured, watches the built-in simulator and records it; stop flushes the samples', async () => {
    const dataDir = tempDir();
    const hub = await spawnHub({ WALNUT_DATA_DIR: dataDir });
    assert.equal(hub.nut.length, 1);
    assert.match(hub.nut[0] ?? '', /^127\.0\.0\.1:\d+$/);
    await hub.waitFor(/"msg":"UPS registered"/);
    hub.child.kill('SIGTERM');
    assert.equal((await exited(hub.child)).code, 0, hub.output());
    const info = await walnutDb(['info', '--json'], { WALNUT_DATA_DIR: dataDir });
    const rows = (JSON.parse(info.stdout) as Info).rows;
    assert.equal(rows.ups, 1);
    assert.ok((rows.ups_samples ?? 0) >= 1, 'the buffered reading was written on stop');
  });

  describe('with WALNUT_NUT_SERVERS and a login secret', () => {
    let upsd: RealUpsd;
    before(async () => {
      upsd = await startRealUpsd();
    });
    after(async () => {
      await upsd.stop();
    });

    it('watches the real upsd, logs in with the stored password, and records an outage', async () => {
      const env = { WALNUT_DB_PATH: path.join(tempDir(), 'walnut.db'), WALNUT_DB_KEY: testKey() };
      assert.equal((await walnut(['secrets', 'set', 'nut/monuser', '--stdin'], env, 'se#cret pw')).code, 0);
      const hub = await spawnHub({ ...env, WALNUT_NUT_SERVERS: `monuser@127.0.0.1:${upsd.port}` });
      try {
        assert.deepEqual(hub.nut, [`127.0.0.1:${upsd.port}`]);
        await hub.waitFor(/logged in to upsd as a secondary/);
        upsd.writeDevice({ 'ups.status': 'OB DISCHRG', 'battery.charge': '90', 'battery.runtime': '1500' });
        await hub.waitFor(/"type":"ONBATT"/);
      } finally {
        hub.child.kill('SIGTERM');
        assert.equal((await exited(hub.child)).code, 0, hub.output());
      }
      const info = (JSON.parse((await walnutDb(['info', '--json'], env)).stdout) as Info).rows;
      assert.equal(info.ups, 1);
      assert.ok((info.ups_samples ?? 0) >= 1);
      assert.ok((info.events ?? 0) >= 1, 'the ONBATT event is on record');
    });

    it('refuses to start when the login secret is missing, saying how to add it', async () => {
      const env = { WALNUT_DB_PATH: path.join(tempDir(), 'walnut.db'), WALNUT_DB_KEY: testKey() };
      assert.equal((await walnutDb(['init'], env)).code, 0);
      const result = await runNode('src/hub/main.js', [], { ...env, WALNUT_HTTP_PORT: '0', WALNUT_MQTT_PORT: '0', WALNUT_NUT_SERVERS: `monuser@127.0.0.1:${upsd.port}` });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /no secret named "nut\/monuser" \(add it with: walnut secrets set nut\/monuser\)/);
    });
  });
});
