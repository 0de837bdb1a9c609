import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { storeBackedRunner } from '../../../src/actions/hub-runner';
import { portAnswers } from '../../../src/actions/ssh';
import { EventBus } from '../../../src/bus';
import { silentLogger } from '../../../src/logger';
import { RulesService } from '../../../src/policy/rules-service';
import { Job } from '../../../src/store/models';
import { ensureSite } from '../../../src/store/sites';
import { childEnv, waitForLine } from '../../helpers/process';
import { startRealSshd, type RealSshd } from '../../helpers/sshd';
import { openTestStore, type TestStore } from '../../helpers/store';
import { tempDir } from '../../helpers/temp';

const targetsYaml = (sshd: RealSshd, command: string): string => `apiVersion: walnut/v1
kind: Targets
targets:
  box:
    type: ssh
    host: 127.0.0.1
    port: ${sshd.port}
    user: root
    key: { secretRef: box-key }
    host_key_fingerprint: "${sshd.hostFingerprint}"
    command: "${command}"
`;

describe('job runner with a real sshd: dry run, and a crash between sent and acknowledged', function () {
  this.timeout(90_000);
  let sshd: RealSshd;
  let test: TestStore;
  let dir: string;

  beforeEach(async () => {
    sshd = await startRealSshd();
    test = await openTestStore();
    await test.store.secrets().set('box-key', sshd.clientKey);
    dir = tempDir();
  });
  afterEach(async () => {
    await sshd.stop();
    await test.store.close().catch(() => undefined);
  });

  async function hubParts(): Promise<{ runner: ReturnType<typeof storeBackedRunner>; stop: () => Promise<void> }> {
    const bus = new EventBus();
    const rules = new RulesService({ dir, bus, logger: silentLogger() });
    await rules.start();
    const siteId = (await ensureSite(test.store.knex, 'default')).id;
    return { runner: storeBackedRunner(test.store, siteId, rules, bus, silentLogger(), { defaultTimeoutMs: 3000 }), stop: () => rules.stop() };
  }

  it('a dry run logs in to probe and sends nothing that changes the host', async () => {
    fs.writeFileSync(path.join(dir, 'targets.yaml'), targetsYaml(sshd, sshd.shutdownCommand));
    const { runner, stop } = await hubParts();
    const result = await runner.submit({ target: 'box', op: 'shutdown', dryRun: true });
    await stop();
    assert.equal(result.state, 'completed');
    assert.match(result.detail!, /^dry run: would shutdown box; probe: ssh box \(root@127\.0\.0\.1:\d+\): logged in$/);
    assert.deepEqual(sshd.calls(), []);
    assert.equal(await portAnswers(sshd.host, sshd.port, 1000), true);
  });

  for (const done of [true, false]) {
    it(`a hub killed with the job sent: the restart ${done ? 'finds it done on the host → completed' : 'finds it not done → failed, nothing re-sent'}`, async () => {
      // The command records its call, (maybe) takes the host down, and never returns: the job stays "sent".
      const command = `echo called >> ${sshd.dir}/calls; ${done ? `kill $(cat ${sshd.dir}/sshd.pid); ` : ''}sleep 60`;
      fs.writeFileSync(path.join(dir, 'targets.yaml'), targetsYaml(sshd, command));
      await test.store.close();
      const child = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(__dirname, '../../helpers/job-child.ts'), dir, 'box', 'shutdown'], {
        env: childEnv({ WALNUT_DB_PATH: test.dbPath, WALNUT_DB_KEY: test.key }), stdio: ['ignore', 'pipe', 'pipe'],
      });
      await waitForLine(child, /^sent$/m, 30_000);
      while (sshd.calls().length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      if (done) while (await portAnswers(sshd.host, sshd.port, 500)) await new Promise((resolve) => setTimeout(resolve, 50));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;

      test = await openTestStore({ dbPath: test.dbPath, key: test.key });
      const [left] = await Job.query(test.store.knex);
      assert.equal(left!.state, 'sent');
      const { runner, stop } = await hubParts();
      const recovered = await runner.recover();
      await stop();
      assert.equal(recovered.length, 1);
      if (done) assert.deepEqual([recovered[0]!.state, recovered[0]!.detail], ['completed', 'interrupted by a hub restart; verified done on the device']);
      else assert.deepEqual([recovered[0]!.state, recovered[0]!.error], ['failed', 'interrupted by a hub restart; not done on the device']);
      assert.deepEqual(sshd.calls(), ['called'], 'the command ran once; recovery sends nothing');
    });
  }
});
