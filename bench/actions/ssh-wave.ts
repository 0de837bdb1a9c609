/**
 * A shutdown wave of 100 SSH targets through the job runner (a jobs row per
 * target moving through its states, events, the bus, per-stage concurrency 16)
 * beside the same calls by plain parallel code at the same concurrency: ssh2
 * connect with the pinned host key, key auth, exec, exit 0. One loopback sshd
 * (MaxStartups raised) plays the 100 hosts; its command is `true`, and
 * verification (the port going dark) is left out on both sides, as the one
 * sshd must stay up. Interleaved rounds; medians and the ratio (target ≤ 1.3).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'ssh2';
import type { Driver } from '../../src/actions/driver';
import { JobRunner } from '../../src/actions/runner';
import { SshDriver } from '../../src/actions/ssh';
import { sameFingerprint, sshFingerprint } from '../../src/actions/ssh-host-key';
import { EventBus } from '../../src/bus';
import { silentLogger } from '../../src/logger';
import type { SshTarget, Target } from '../../src/policy/spec';
import { ensureSite } from '../../src/store/sites';
import { Store } from '../../src/store/store';
import { startRealSshd, type RealSshd } from '../lib/real-sshd';
import { fixed, median, verdict } from '../lib/stats';

const TARGETS = 100;
const CONCURRENCY = 16;
const ROUNDS = 5;
const TARGET_RATIO = 1.3;

/** The baseline: a pool of CONCURRENCY workers, each doing connect, exec `true`, wait for exit 0. */
async function plainWave(sshd: RealSshd): Promise<void> {
  const one = (): Promise<void> => new Promise((resolve, reject) => {
    const client = new Client();
    client.on('error', reject);
    client.once('ready', () => client.exec('true', (error, stream) => {
      if (error) return reject(error);
      stream.on('data', () => undefined);
      stream.on('exit', (code: number) => (code === 0 ? undefined : reject(new Error(`exit ${code}`))));
      stream.on('close', () => {
        client.end();
        resolve();
      });
    }));
    client.connect({
      host: sshd.host, port: sshd.port, username: 'root', privateKey: sshd.clientKey, readyTimeout: 20_000,
      hostVerifier: (key: Buffer) => sameFingerprint(sshFingerprint(key), sshd.hostFingerprint),
    });
  });
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < TARGETS) {
      next += 1;
      await one();
    }
  }));
}

async function main(): Promise<void> {
  const sshd = await startRealSshd({ maxStartups: 200 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walnut-bench-ssh-'));
  const store = await Store.open({ settings: { dbPath: path.join(dir, 'walnut.db'), production: false, allowNetworkFs: false }, env: { WALNUT_DB_KEY: 'bench-key-'.padEnd(40, 'x') } });
  const siteId = (await ensureSite(store.knex, 'bench')).id;
  const spec: SshTarget = { type: 'ssh', host: sshd.host, port: sshd.port, user: 'root', key: { secretRef: 'k' }, host_key_fingerprint: sshd.hostFingerprint, command: 'true' };
  const targets = new Map<string, Target>(Array.from({ length: TARGETS }, (_, index) => [`host-${index}`, spec]));
  const runner = new JobRunner({
    knex: store.knex, siteId, bus: new EventBus(), logger: silentLogger(), concurrency: CONCURRENCY, targets: () => targets,
    driverFor: (name): Driver => {
      const ssh = new SshDriver(name, spec, { secret: () => Promise.resolve(sshd.clientKey), trustedFingerprint: () => Promise.resolve(undefined) });
      // The one sshd must stay up: acting is measured, the port going dark is not.
      return { target: name, probe: (context) => ssh.probe(context), act: (op, context) => ssh.act(op, context), verify: () => Promise.resolve(true) };
    },
  });
  let round = 0;
  const runnerWave = async (): Promise<void> => {
    round += 1;
    const results = await Promise.all([...targets.keys()].map((target) => runner.submit({ target, op: 'shutdown', runId: `wave-${round}`, stage: 'hosts', timeout: 60_000 })));
    const failed = results.filter((result) => result.state !== 'completed');
    if (failed.length > 0) throw new Error(`${failed.length} jobs failed: ${failed[0]!.error}`);
  };

  await plainWave(sshd); // warm-up: sshd's first forks, JIT
  await runnerWave();
  const runnerMs: number[] = [];
  const plainMs: number[] = [];
  for (let index = 0; index < ROUNDS; index += 1) {
    let start = performance.now();
    await runnerWave();
    runnerMs.push(performance.now() - start);
    start = performance.now();
    await plainWave(sshd);
    plainMs.push(performance.now() - start);
  }
  await store.close();
  await sshd.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  const ours = median(runnerMs);
  const plain = median(plainMs);
  console.log(`ssh shutdown wave: ${TARGETS} targets, concurrency ${CONCURRENCY}, loopback OpenSSH sshd, ${ROUNDS} interleaved rounds (median)`);
  console.log(`  runner (jobs rows, events, bus)  ${fixed(ours, 0, 7)} ms   ${fixed(TARGETS / (ours / 1000), 1, 6)} targets/s`);
  console.log(`  plain parallel ssh2              ${fixed(plain, 0, 7)} ms   ${fixed(TARGETS / (plain / 1000), 1, 6)} targets/s`);
  console.log(`  ratio runner/plain               ${fixed(ours / plain, 2, 7)}   target ≤ ${TARGET_RATIO}: ${verdict(ours / plain <= TARGET_RATIO)}`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
