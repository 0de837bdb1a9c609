import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { walnut, walnutDb } from '../../helpers/process';
import { startRealSshd, type RealSshd } from '../../helpers/sshd';
import { tempDir, testKey } from '../../helpers/temp';

describe('walnut targets CLI (real sshd, real encrypted store)', function () {
  this.timeout(60_000);
  let sshd: RealSshd;
  let env: Record<string, string>;

  beforeEach(async () => {
    sshd = await startRealSshd();
    const dir = tempDir();
    const rules = path.join(dir, 'rules');
    fs.mkdirSync(rules);
    fs.writeFileSync(path.join(rules, 'targets.yaml'), `apiVersion: walnut/v1
kind: Targets
targets:
  box:
    type: ssh
    host: 127.0.0.1
    port: ${sshd.port}
    user: root
    key: { secretRef: box-key }
    command: ${sshd.shutdownCommand}
  box-wake:
    type: wol
    mac: "00:11:22:33:44:55"
    address: 127.0.0.1
    port: 9
`);
    env = { WALNUT_DB_PATH: path.join(dir, 'walnut.db'), WALNUT_DB_KEY: testKey(), WALNUT_RULES_DIR: rules };
    assert.equal((await walnutDb(['init'], env)).code, 0);
    assert.equal((await walnut(['secrets', 'set', 'box-key', '--stdin'], env, sshd.clientKey)).code, 0);
  });
  afterEach(() => sshd.stop());

  it('list → probe refused (untrusted key) → trust → probe → run --dry-run → run: the drill a user does before trusting a policy', async () => {
    const list = await walnut(['targets', 'list'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^box +ssh +root@127\\.0\\.0\\.1:${sshd.port}  ops: shutdown  host key: not trusted \\(walnut targets trust\\)$`, 'm'));
    assert.match(list.stdout, /^box-wake +wol +00:11:22:33:44:55 via 127\.0\.0\.1:9 +ops: wake$/m);

    const refused = await walnut(['targets', 'probe', 'box'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /no trusted host key; check it and run `walnut targets trust box`/);

    const wrongExpectation = await walnut(['targets', 'trust', 'box', '--expect', 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU'], env);
    assert.equal(wrongExpectation.code, 1);
    assert.match(wrongExpectation.stderr, /not the expected .*: not recorded/);
    const trust = await walnut(['targets', 'trust', 'box'], env);
    assert.equal(trust.code, 0, trust.stderr);
    assert.equal(trust.stdout, `box (127.0.0.1:${sshd.port}) presents ssh-ed25519 ${sshd.hostFingerprint}\ntrusted\n`);

    const probe = await walnut(['targets', 'probe', 'box', '--json'], env);
    assert.equal(probe.code, 0, probe.stderr);
    assert.deepEqual(JSON.parse(probe.stdout), { target: 'box', reachable: true, authenticated: true, state: 'on', detail: `ssh box (root@127.0.0.1:${sshd.port}): logged in` });

    const dry = await walnut(['targets', 'run', 'box', '--op', 'shutdown', '--dry-run'], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^job 1: shutdown box \(dry run\): completed: dry run: would shutdown box; probe: .*logged in$/m);
    assert.deepEqual(sshd.calls(), []);

    const run = await walnut(['targets', 'run', 'box', '--op', 'shutdown', '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    const job = JSON.parse(run.stdout) as { jobId: number; state: string; detail: string; attempts: number };
    assert.deepEqual([job.jobId, job.state, job.attempts], [2, 'completed', 1]);
    assert.deepEqual(sshd.calls(), ['shutdown']);
    assert.ok(!run.stdout.includes('PRIVATE KEY') && !run.stderr.includes('PRIVATE KEY'));
  });

  it('an op the target cannot do is a usage error', async () => {
    const result = await walnut(['targets', 'run', 'box-wake', '--op', 'shutdown'], env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /a wol target cannot shutdown; it can: wake/);
  });
});
