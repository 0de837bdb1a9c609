import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { walnut, walnutDb } from '../../helpers/process';
import { tempDir, testKey } from '../../helpers/temp';
import { type RealUpsd, startRealUpsd } from '../../helpers/upsd';

const FIXTURES = path.resolve(__dirname, '../../fixtures/nut-conf');

describe('walnut nut check and sync (CLI, real upsd)', function () {
  this.timeout(60_000);
  let upsd: RealUpsd;
  let env: Record<string, string>;

  before(async () => {
    upsd = await startRealUpsd();
  });
  beforeEach(async () => {
    env = { WALNUT_DB_PATH: path.join(tempDir(), 'walnut.db'), WALNUT_DB_KEY: testKey() };
    assert.equal((await walnutDb(['init'], env)).code, 0);
  });
  after(async () => {
    await upsd.stop();
  });

  it('check: a good folder passes; a broken one prints file:line: findings and exits 1', async () => {
    // Git keeps no 0600 modes: copy the good set and give its password files the mode they need.
    const goodDir = tempDir();
    for (const file of fs.readdirSync(path.join(FIXTURES, 'good'))) {
      fs.copyFileSync(path.join(FIXTURES, 'good', file), path.join(goodDir, file));
      fs.chmodSync(path.join(goodDir, file), 0o600);
    }
    const good = await walnut(['nut', 'check', '--conf-dir', goodDir, '--json'], env);
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.equal((JSON.parse(good.stdout) as { errors: number }).errors, 0);
    const broken = await walnut(['nut', 'check', '--conf-dir', path.join(FIXTURES, 'broken', 'ups-missing-driver')], env);
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /ups\.conf:\d+: error: .*driver/);
    const missing = await walnut(['nut', 'check', '--conf-dir', path.join(FIXTURES, 'nope')], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope/);
  });

  it('sync: reports the served UPS missing from the registry, --apply adds it, then all agree', async () => {
    const server = `127.0.0.1:${upsd.port}`;
    const confDir = path.join(upsd.dir, 'etc');
    const first = await walnut(['nut', 'sync', '--server', server, '--conf-dir', confDir, '--json'], env);
    assert.equal(first.code, 1, first.stderr);
    const report = (JSON.parse(first.stdout) as { reports: Array<{ findings: Array<{ kind: string; ups: string }> }> }).reports[0];
    assert.deepEqual(report?.findings.map((f) => [f.kind, f.ups]), [['missing-in-registry', 'dummy']]);

    const applied = await walnut(['nut', 'sync', '--server', server, '--conf-dir', confDir, '--apply'], env);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /applied 1 change/);

    const again = await walnut(['nut', 'sync', '--server', server, '--conf-dir', confDir, '--json'], env);
    assert.equal(again.code, 0, again.stdout);
    assert.deepEqual((JSON.parse(again.stdout) as { reports: Array<{ findings: unknown[] }> }).reports[0]?.findings, []);
  });

  it('sync tests a LOGIN with the password from the secret store, and reports a refusal', async () => {
    assert.equal((await walnut(['secrets', 'set', 'nut-mon', '--stdin'], env, 'se#cret pw')).code, 0);
    assert.equal((await walnut(['secrets', 'set', 'nut-bad', '--stdin'], env, 'wrong')).code, 0);
    const ok = await walnut(['nut', 'sync', '--server', `monuser:nut-mon@127.0.0.1:${upsd.port}`, '--apply', '--json'], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(ok.stdout.includes('"login-ok"'));
    const denied = await walnut(['nut', 'sync', '--server', `monuser:nut-bad@127.0.0.1:${upsd.port}`, '--json'], env);
    assert.equal(denied.code, 1);
    assert.ok(denied.stdout.includes('"login-denied"'));
    assert.equal(denied.stdout.includes('wrong') || ok.stdout.includes('se#cret'), false, 'no password in the output');
  });
});
