/**
 * The end-to-end outage drill: a hub started as `npm start` starts it, a real
 * upsd whose dummy UPS goes on battery, an armed three-stage policy acting on
 * a real sshd and the Shelly, Tapo and Proxmox simulators, Home Assistant
 * watching over MQTT, and the store read back afterwards.
 */
import { strict as assert } from 'node:assert';
import type { Received } from '../../helpers/mqtt';
import { DRILL_TIMING } from './drill-rules';
import { sharedPostgres } from '../../helpers/postgres';
import { describeEachBackend } from '../../helpers/store';
import { readRecords, until, type AuditRow, type JobRow } from './drill-store';
import { GUEST, startDrillWorld, type DrillWorld } from './drill-world';

const POLICY_STATE = 'walnut/default/policy/drill/state';
const UPS_STATE = 'walnut/default/ups/Walnut_Test_Dummy_1500_WT0001/state';
/** Slack for a stage's start against its planned time: polls, the flow's hops and a busy 2-core machine. */
const LATE_MS = 4000;

const payload = (message: Received): Record<string, unknown> => JSON.parse(message.payload) as Record<string, unknown>;
const policyIs = (state: string) => (message: Received): boolean => message.topic === POLICY_STATE && payload(message).state === state;
const targetResult = (target: string, result: string) => (message: Received): boolean =>
  message.topic === `walnut/default/target/${target}/state` && payload(message).result === result;
const shutdownCalls = (world: DrillWorld): number =>
  world.proxmox.mutatingCalls.filter((call) => call.path === `/nodes/pve/qemu/${GUEST}/status/shutdown`).length;
const STAGE = (actions: number): string[] => ['stage_start', ...Array<string>(actions).fill('action'), 'stage_end'];
const actionsAudited = (audit: AuditRow[]): string[][] =>
  audit.filter((row) => row.action.startsWith('target.')).map((row) => [row.actor, row.action, row.resource]).sort((a, b) => `${a[1]} ${a[2]}`.localeCompare(`${b[1]} ${b[2]}`));
const summary = (jobs: JobRow[]): string[][] => jobs.map((job) => [job.stage ?? '', job.target, job.op, job.state]);

describeEachBackend('outage drill: a live hub, real peers, an armed three-stage policy', function (backend) {
  this.timeout(300_000);
  let world: DrillWorld | undefined;

  /** A fresh world with the policy idle and armed, and the UPS on mains as Home Assistant sees it. */
  async function ready(options: { guestShutdownMs?: number } = {}): Promise<DrillWorld> {
    const databaseUrl = backend === 'postgres' ? (await sharedPostgres()).createDatabase() : undefined;
    world = await startDrillWorld(DRILL_TIMING, { ...options, ...(databaseUrl === undefined ? {} : { databaseUrl }) });
    await world.ha.waitFor((message) => policyIs('idle')(message) && payload(message).armed === true && payload(message).dry_run === false, 'the drill policy idle, armed and live', 30_000);
    await world.ha.waitFor((message) => message.topic === UPS_STATE && (payload(message).binary as Record<string, string> | undefined)?.online === 'ON', 'the UPS on mains', 30_000);
    return world;
  }

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && world) console.log(world.hub.output().slice(-6000));
    await world?.stop();
    world = undefined;
  });

  it('on battery: the stages run in order and on time, every device is called once, HA and the store show it', async () => {
    const w = await ready();
    const from = w.ha.messages.length;
    w.onBattery();
    await w.hub.waitFor(/"type":"ONBATT"/, 30_000);
    await w.ha.waitFor(policyIs('running'), 'the policy running', 30_000, from);
    await until(() => w.sshd.calls().length > 0, 'the sshd host asked to shut down', 90_000);
    await w.ha.waitFor(targetResult('box', 'completed'), 'the host shutdown completed', 60_000, from);
    await w.ha.waitFor(policyIs('awaiting_restore'), 'the run over, awaiting the mains', 30_000, from);

    assert.deepEqual(w.shelly.mutatingCalls.map((call) => [call.channel, call.on]), [[0, false]], 'the Shelly plug switched off once');
    assert.equal(w.shelly.isOn(0), false);
    assert.equal(w.tapo.mutatingCalls.length, 1, 'the Tapo plug switched once');
    assert.equal(w.tapo.deviceOn, false);
    assert.equal(shutdownCalls(w), 1, 'the guest asked to shut down once');
    assert.equal(w.proxmox.mutatingCalls.length, 1, 'nothing else asked of Proxmox');
    assert.equal(w.proxmox.guest(GUEST).status, 'stopped');
    assert.equal(w.sshd.calls().length, 1, 'the host ran its shutdown command once');
    assert.equal(w.sshd.running(), false, 'the host went dark');

    const { jobs, events, audit } = await readRecords(w.env);
    assert.deepEqual(actionsAudited(audit), [
      ['policy:drill', 'target.off', 'target/heater'], ['policy:drill', 'target.off', 'target/lamp'],
      ['policy:drill', 'target.shutdown', 'target/box'], ['policy:drill', 'target.shutdown', 'target/pve'],
    ], 'each action sent to a device is audited');
    assert.deepEqual(summary(jobs).sort(), [
      ['guests', 'pve', 'shutdown', 'completed'], ['host', 'box', 'shutdown', 'completed'],
      ['shed', 'heater', 'off', 'completed'], ['shed', 'lamp', 'off', 'completed'],
    ]);
    assert.ok(jobs.every((job) => job.dry_run === 0 && job.run_id === 'drill-1'), 'live jobs of the one run');
    const onBattery = events.find((event) => event.type === 'ONBATT');
    const trigger = events.find((event) => event.type === 'policy.trigger');
    assert.ok(onBattery && trigger, 'the outage and the trigger are recorded');
    const waited = trigger.ts - onBattery.ts;
    assert.ok(waited >= DRILL_TIMING.onBatteryForS * 1000 - 1500 && waited <= DRILL_TIMING.onBatteryForS * 1000 + LATE_MS, `triggered ${waited} ms after going on battery`);
    const stageOf = (stage: string): JobRow[] => jobs.filter((job) => job.stage === stage);
    for (const [stage, afterS] of [['shed', 0], ['guests', DRILL_TIMING.guestsAfterS], ['host', DRILL_TIMING.hostAfterS]] as const) {
      for (const job of stageOf(stage)) {
        const late = job.queued_at - (trigger.ts + afterS * 1000);
        assert.ok(late >= 0 && late <= LATE_MS, `${stage}/${job.target} queued ${late} ms after its planned time`);
      }
    }
    const finished = (stage: string): number => Math.max(...stageOf(stage).map((job) => job.finished_at ?? Infinity));
    assert.ok(stageOf('guests')[0]!.queued_at >= finished('shed'), 'the guest stage starts after the plugs are off');
    assert.ok(stageOf('host')[0]!.queued_at >= finished('guests'), 'the host stage starts after the guest is down');

    const decisions = events.filter((event) => event.source === 'policy:drill').map((event) => event.type.replace('policy.', ''));
    assert.deepEqual(decisions, ['trigger', ...STAGE(2), ...STAGE(1), ...STAGE(1)], 'three stages, one after another; the run waits for the mains');
    assert.deepEqual(events.filter((event) => event.type === 'job.completed').map((event) => event.source).sort(), ['target:box', 'target:heater', 'target:lamp', 'target:pve']);
  });
  // A fleet hub runs the outage and the resume after a kill on PostgreSQL; the other two scenarios are about the engine's timing, not the store: once, on SQLite.
  const onSqliteOnly = (title: string, test: Mocha.AsyncFunc): void => {
    if (backend === 'sqlite') it(title, test);
  };

  onSqliteOnly('power back before the point of no return: the host stage is cancelled, restore brings the plugs and the guest back', async () => {
    const w = await ready();
    const from = w.ha.messages.length;
    w.onBattery();
    await w.ha.waitFor(targetResult('pve', 'completed'), 'the guest shut down (stage 2)', 60_000, from);
    assert.equal(w.proxmox.guest(GUEST).status, 'stopped');
    w.onMains();
    await w.ha.waitFor(policyIs('restoring'), 'the restore under way', 30_000, from);
    await w.ha.waitFor(policyIs('idle'), 'the run over after its restore', 60_000, from);

    assert.equal(w.shelly.isOn(0), true, 'the Shelly plug is on again');
    assert.equal(w.tapo.deviceOn, true, 'the Tapo plug is on again');
    assert.equal(w.proxmox.guest(GUEST).status, 'running', 'the guest runs again');
    assert.deepEqual(w.shelly.mutatingCalls.map((call) => call.on), [false, true]);
    assert.equal(w.tapo.mutatingCalls.length, 2);
    assert.deepEqual(w.proxmox.mutatingCalls.map((call) => call.path.split('/').pop()), ['shutdown', 'start']);
    assert.deepEqual(w.sshd.calls(), [], 'the host was never asked to shut down');
    assert.equal(w.sshd.running(), true);

    const { jobs, events, audit } = await readRecords(w.env);
    assert.deepEqual(actionsAudited(audit).map(([, action, resource]) => `${action} ${resource}`), [
      'target.off target/heater', 'target.off target/lamp', 'target.on target/heater', 'target.on target/lamp', 'target.shutdown target/pve', 'target.start target/pve',
    ]);
    assert.ok(!jobs.some((job) => job.target === 'box' || job.stage === 'host'), `no job for the cancelled stage: ${JSON.stringify(summary(jobs))}`);
    const restore = jobs.filter((job) => job.stage !== 'shed' && job.stage !== 'guests');
    assert.deepEqual(restore.map((job) => [job.target, job.op, job.state]), [['lamp', 'on', 'completed'], ['heater', 'on', 'completed'], ['pve', 'start', 'completed']], 'restore in the listed order');
    const trigger = events.find((event) => event.type === 'policy.trigger')!;
    const cancel = events.find((event) => event.type === 'policy.cancel');
    assert.ok(cancel, `the run was cancelled: ${events.map((event) => event.type).join(' ')}`);
    assert.ok(cancel.ts < trigger.ts + DRILL_TIMING.hostAfterS * 1000, 'cancelled before the host stage was due');
    assert.ok(!events.some((event) => event.source === 'policy:drill' && event.type === 'policy.stage_start' && event.message.includes('host')), 'the host stage never started');
  });

  it('a hub SIGKILLed mid-run resumes on restart and finishes without repeating an action', async () => {
    // The guest takes 4 s to shut down, so the hub dies with that job in flight.
    const w = await ready({ guestShutdownMs: 4000 });
    w.onBattery();
    await until(() => shutdownCalls(w) === 1, 'the guest asked to shut down (stage 2 in flight)', 90_000);
    assert.equal(w.shelly.mutatingCalls.length, 1, 'stage 1 ran before the kill');
    assert.equal(w.tapo.mutatingCalls.length, 1);
    assert.equal(w.proxmox.guest(GUEST).status, 'running', 'killed while the guest is still shutting down');
    await w.killAndRestartHub();
    await w.hub.waitFor(/resuming a run the hub was in when it stopped/, 30_000);
    await until(() => w.sshd.calls().length > 0, 'the host asked to shut down by the restarted hub', 90_000);
    await w.ha.waitFor(policyIs('awaiting_restore'), 'the resumed run over', 60_000);

    assert.equal(w.shelly.mutatingCalls.length, 1, 'the Shelly plug switched once');
    assert.equal(w.tapo.mutatingCalls.length, 1, 'the Tapo plug switched once');
    assert.equal(shutdownCalls(w), 1, 'the guest asked to shut down once');
    assert.equal(w.proxmox.mutatingCalls.length, 1);
    assert.equal(w.proxmox.guest(GUEST).status, 'stopped');
    assert.equal(w.sshd.calls().length, 1, 'the host shut down once');

    const { jobs, events, audit } = await readRecords(w.env);
    assert.deepEqual(actionsAudited(audit).map(([, action, resource]) => `${action} ${resource}`), [
      'target.off target/heater', 'target.off target/lamp', 'target.shutdown target/box', 'target.shutdown target/pve',
    ], 'one audited action per target, the one in flight at the kill included');
    assert.ok(jobs.every((job) => job.state === 'completed'), JSON.stringify(summary(jobs)));
    assert.deepEqual(jobs.filter((job) => job.target === 'box').map((job) => job.stage), ['host'], 'one host job');
    const guestJobs = jobs.filter((job) => job.target === 'pve');
    assert.match(guestJobs[0]!.result ?? '', /interrupted by a hub restart; verified done on the device/, 'the in-flight job was checked on the device');
    assert.ok(guestJobs.slice(1).every((job) => /^verified: shutdown took effect$/.test(job.result ?? '')), `later guest jobs only verified: ${JSON.stringify(guestJobs)}`);
    assert.equal(events.filter((event) => event.type === 'policy.trigger').length, 1, 'one run, resumed rather than started again');
  });

  onSqliteOnly('flapping power for two minutes, each outage shorter than the trigger: nothing runs', async function () {
    this.timeout(360_000);
    const w = await ready();
    const from = w.ha.messages.length;
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
    // The cadence is the scenario: 1.5 s on battery, 2.5 s on mains, for two minutes.
    const end = Date.now() + 120_000;
    let lastMains = from;
    while (Date.now() < end) {
      w.onBattery();
      await sleep(1500);
      lastMains = w.ha.messages.length;
      w.onMains();
      await sleep(2500);
    }
    await w.ha.waitFor((message) => message.topic === UPS_STATE && (payload(message).binary as Record<string, string> | undefined)?.online === 'ON', 'the UPS on mains at the end', 30_000, lastMains);
    // Longer than the trigger's delay on mains: a run that started late would be running now.
    await sleep(DRILL_TIMING.onBatteryForS * 1000 + 2000);

    const { jobs, events, audit } = await readRecords(w.env);
    assert.deepEqual(actionsAudited(audit), [], 'no action audited');
    const outages = events.filter((event) => event.type === 'ONBATT').length;
    assert.ok(outages >= 15, `the hub saw the flapping (${outages} ONBATT events)`);
    assert.deepEqual(jobs, [], 'no job');
    assert.deepEqual(events.filter((event) => event.source === 'policy:drill').map((event) => event.type), [], 'no policy decision');
    assert.ok(!w.ha.messages.slice(from).some((message) => message.topic === POLICY_STATE && payload(message).state !== 'idle'), 'Home Assistant never saw the policy leave idle');
    assert.deepEqual(w.shelly.mutatingCalls, []);
    assert.deepEqual(w.tapo.mutatingCalls, []);
    assert.deepEqual(w.proxmox.mutatingCalls, []);
    assert.deepEqual(w.sshd.calls(), []);
  });
});
