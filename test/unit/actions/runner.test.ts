import { strict as assert } from 'node:assert';
import type { ActContext, Driver, ProbeResult } from '../../../src/actions/driver';
import { JobRunner, type JobUpdate } from '../../../src/actions/runner';
import { EventBus } from '../../../src/bus';
import { ActionFailedError, TargetUnreachableError } from '../../../src/errors';
import { silentLogger } from '../../../src/logger';
import type { Op, Target } from '../../../src/policy/spec';
import { Event, Job } from '../../../src/store/models';
import { ensureSite } from '../../../src/store/sites';
import type { Store } from '../../../src/store/store';
import { openTestStore } from '../../helpers/store';

/** A device whose behaviour each test scripts; it counts what reaches it. */
class ScriptedDevice implements Driver {
  acts = 0;
  probes = 0;
  running = 0;
  maxRunning = 0;
  constructor(readonly target: string, private readonly behaviour: { act?: (attempt: number, context: ActContext) => Promise<void>; verified?: boolean } = {}) {}
  probe(): Promise<ProbeResult> {
    this.probes += 1;
    return Promise.resolve({ reachable: true, authenticated: true, state: 'on', detail: 'scripted' });
  }
  async act(_op: Op, context: ActContext): Promise<{ detail: string }> {
    this.acts += 1;
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      await this.behaviour.act?.(this.acts, context);
    } finally {
      this.running -= 1;
    }
    return { detail: 'done' };
  }
  verify(): Promise<boolean> {
    return Promise.resolve(this.behaviour.verified ?? true);
  }
}

const TARGET: Target = { type: 'wol', mac: '00:11:22:33:44:55', address: '127.0.0.1' };

describe('job runner', () => {
  let store: Store;
  let siteId: number;
  let bus: EventBus;
  let updates: JobUpdate[];

  beforeEach(async () => {
    store = (await openTestStore()).store;
    siteId = (await ensureSite(store.knex, 'default')).id;
    bus = new EventBus();
    updates = [];
    bus.onJobUpdate((update) => updates.push(update));
  });
  afterEach(() => store.close());

  const runner = (devices: Map<string, Driver>, options: { concurrency?: number; retries?: number } = {}): JobRunner => new JobRunner({
    knex: store.knex, siteId, bus, logger: silentLogger(), retryDelayMs: 10, ...options,
    targets: () => new Map([...devices.keys()].map((name) => [name, TARGET])),
    driverFor: (name) => devices.get(name)!,
  });

  it('a job row moves queued → sent → acknowledged → completed, on the bus and into events', async () => {
    const device = new ScriptedDevice('a');
    const result = await runner(new Map([['a', device]])).submit({ target: 'a', op: 'wake', runId: 'p-1', policy: 'p', stage: 's' });
    assert.deepEqual([result.state, result.outcome, result.runId, result.stage], ['completed', 'done', 'p-1', 's']);
    assert.deepEqual(updates.map((update) => update.state), ['sent', 'acknowledged', 'completed']);
    const job = await Job.query(store.knex).findById(result.jobId);
    assert.deepEqual([job!.state, job!.attempts, job!.run_id], ['completed', 1, 'p-1']);
    assert.ok(job!.sent_at && job!.acknowledged_at && job!.finished_at);
    assert.equal((await Event.query(store.knex).where({ type: 'job.completed' })).length, 1);
  });

  it('at most `concurrency` jobs of one stage run at once; other stages are not held up', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const device = new ScriptedDevice('a', { act: () => gate });
    const devices = new Map<string, Driver>([['a', device]]);
    const jobs = runner(devices, { concurrency: 3 });
    const wave = Array.from({ length: 10 }, () => jobs.submit({ target: 'a', op: 'wake', runId: 'r', stage: 's1' }));
    const other = jobs.submit({ target: 'a', op: 'wake', runId: 'r', stage: 's2' });
    while (device.running < 4) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(device.running, 4, 'three of stage s1 and the one of s2');
    release();
    await Promise.all([...wave, other]);
    assert.equal(device.maxRunning, 4);
    assert.equal(device.acts, 11);
  });

  it('a job that outlives its timeout fails with a timeout; transient errors are retried, others are not', async () => {
    const slow = new ScriptedDevice('slow', { act: (_attempt, context) => new Promise((_, reject) => context.signal.addEventListener('abort', () => reject(new TargetUnreachableError('no answer')))) });
    const flaky = new ScriptedDevice('flaky', { act: (attempt) => (attempt < 3 ? Promise.reject(new TargetUnreachableError('reset')) : Promise.resolve()) });
    const broken = new ScriptedDevice('broken', { act: () => Promise.reject(new ActionFailedError('exit 1')) });
    const jobs = runner(new Map<string, Driver>([['slow', slow], ['flaky', flaky], ['broken', broken]]));
    const timedOut = await jobs.submit({ target: 'slow', op: 'wake', timeout: 200 });
    assert.deepEqual([timedOut.state, timedOut.error], ['failed', 'no answer']);
    const retried = await jobs.submit({ target: 'flaky', op: 'wake' });
    assert.deepEqual([retried.state, retried.attempts, flaky.acts], ['completed', 3, 3]);
    const failed = await jobs.submit({ target: 'broken', op: 'wake' });
    assert.deepEqual([failed.state, failed.attempts, failed.error, broken.acts], ['failed', 1, 'exit 1', 1]);
  });

  it('an action that is accepted but never seen on the device fails as not verified', async () => {
    const result = await runner(new Map<string, Driver>([['a', new ScriptedDevice('a', { verified: false })]])).submit({ target: 'a', op: 'wake', timeout: 500 });
    assert.equal(result.state, 'failed');
    assert.match(result.error!, /accepted but not seen on the device/);
  });

  it('cancel: jobs of a run still waiting for a slot are cancelled and never reach the device', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const device = new ScriptedDevice('a', { act: () => gate });
    const jobs = runner(new Map<string, Driver>([['a', device]]), { concurrency: 1 });
    // Which of the three takes the slot is not fixed (on PostgreSQL their rows are written on separate connections).
    const submitted = [1, 2, 3].map(() => jobs.submit({ target: 'a', op: 'wake', runId: 'r', stage: 's' }));
    while (device.running < 1) await new Promise((resolve) => setImmediate(resolve));
    while ((await Job.query(store.knex).where({ state: 'queued' })).length < 2) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await jobs.cancel('r'), 2);
    release();
    assert.deepEqual((await Promise.all(submitted)).map((result) => result.state).sort(), ['cancelled', 'cancelled', 'completed']);
    assert.equal(device.acts, 1);
  });

  it('a dry run only probes and records what it would have done', async () => {
    const device = new ScriptedDevice('a');
    const result = await runner(new Map<string, Driver>([['a', device]])).submit({ target: 'a', op: 'wake', dryRun: true });
    assert.deepEqual([result.state, result.dryRun, device.acts, device.probes], ['completed', true, 0, 1]);
    assert.equal(result.detail, 'dry run: would wake a; probe: scripted');
    assert.equal(Boolean((await Job.query(store.knex).findById(result.jobId))!.dry_run), true);
  });

  it('an unknown target is a failed job that says so', async () => {
    const result = await runner(new Map()).submit({ target: 'ghost', op: 'wake' });
    assert.deepEqual([result.state, result.error], ['failed', 'no target named "ghost" in the rules']);
  });
  it('an action sent to a device leaves an audit row (who, what, which target, how it ended); a dry run, a verification or an unknown target none', async () => {
    const devices = new Map<string, Driver>([['a', new ScriptedDevice('a')], ['b', new ScriptedDevice('b', { verified: false })]]);
    const jobs = runner(devices);
    const done = await jobs.submit({ target: 'a', op: 'wake', runId: 'p-1', policy: 'p', stage: 's' });
    const failed = await jobs.submit({ target: 'b', op: 'wake', timeout: 300 });
    await jobs.submit({ target: 'a', op: 'wake', dryRun: true });
    await jobs.submit({ target: 'a', op: 'wake', verify: true });
    await jobs.submit({ target: 'ghost', op: 'wake' });
    const rows = await store.knex('audit_logs').orderBy('id').select<Array<{ actor: string; action: string; resource: string; after: string }>>('actor', 'action', 'resource', 'after');
    assert.deepEqual(rows.map((row) => [row.actor, row.action, row.resource]), [['policy:p', 'target.wake', 'target/a'], ['walnut', 'target.wake', 'target/b']]);
    assert.deepEqual(JSON.parse(rows[0]!.after), { jobId: done.jobId, state: 'completed', runId: 'p-1', stage: 's', force: false, detail: 'done' });
    assert.equal((JSON.parse(rows[1]!.after) as { state: string }).state, failed.state);
  });
});
