import { strict as assert } from 'node:assert';
import { buildRuleSet } from '../../../src/policy/rule-set';
import { compilePolicy } from '../../../src/policy/engine/compile';
import type { Decision } from '../../../src/policy/engine/types';
import { loadRulesDir } from '../../../src/policy/rules-dir';
import { simulate } from '../../../src/policy/simulate';
import { compareTimelines, timelineEntries } from '../../../src/policy/timeline';
import { loadTrace, parseTrace } from '../../../src/policy/trace';
import { RulesError } from '../../../src/errors';

/** The shipped homelab policy through each shipped trace. */
async function homelab(trace: string, edit: (text: string) => string = (text) => text): Promise<Decision[]> {
  const { ruleSet } = buildRuleSet(await loadRulesDir('rules'));
  const targets = new Map([...ruleSet.targets].map(([name, defined]) => [name, defined.target]));
  const document = JSON.parse(edit(JSON.stringify(ruleSet.policies.get('homelab')!.document))) as Parameters<typeof compilePolicy>[0];
  const types = new Map([...targets].map(([name, target]) => [name, target.type]));
  return simulate(compilePolicy(document, targets), { armed: true, targetTypes: types }, await loadTrace(`rules/traces/${trace}.yaml`)).decisions;
}

const kinds = (decisions: Decision[]): string[] => decisions.map((decision) => decision.kind);
const at = (decisions: Decision[], kind: string, stage?: string): number | undefined =>
  decisions.find((decision) => decision.kind === kind && (stage === undefined || decision.stage === stage))?.t;

describe('simulator: the shipped traces through the shipped homelab policy', () => {
  it('clean outage: every stage on its planned time, the hub last, no cancel', async () => {
    const decisions = await homelab('clean-outage');
    assert.equal(at(decisions, 'trigger'), 180_000, 'two minutes after the mains failed at 1m');
    assert.equal(at(decisions, 'stage_start', 'guests'), 240_000);
    assert.equal(at(decisions, 'stage_start', 'hosts'), 480_000);
    const actions = decisions.filter((decision) => decision.kind === 'action').map((decision) => decision.target);
    assert.deepEqual(actions, ['printer-plug', 'pve', 'nas', 'pve', 'switch-plug', 'rack-ups', 'hub']);
    assert.ok(!kinds(decisions).includes('cancel'));
    // The hub's own shutdown hangs (it is going down): the last stage is ended by its timeout.
    assert.deepEqual(decisions.filter((decision) => decision.kind === 'stage_end' && decision.stage === 'last').map((decision) => decision.outcome), ['timed_out']);
  });

  it('2 s flapping for 10 minutes, a short blip, and a calibration run before LB: nothing happens', async () => {
    assert.deepEqual(await homelab('flapping'), []);
    assert.deepEqual(await homelab('short-blip'), []);
    const calibration = await homelab('calibration');
    assert.equal(at(calibration, 'trigger'), 22 * 60_000, 'only OB LB during the calibration starts a run');
    assert.match(calibration[0]!.because.rule, /critical/);
  });

  it('comm loss on battery: critical after upsmon\'s 15 s, stages back to back', async () => {
    const decisions = await homelab('comm-loss-on-battery');
    assert.equal(at(decisions, 'trigger'), 104_000, 'the last reading came at 89 s; silence from 90 s');
    assert.deepEqual(decisions.filter((decision) => decision.kind === 'stage_start').slice(1).map((decision) => decision.pacing), ['critical', 'critical', 'critical', 'critical']);
  });

  it('power back mid-shutdown: cancelled 30 s after the mains returned, then restored', async () => {
    const decisions = await homelab('power-back-mid-shutdown');
    assert.equal(at(decisions, 'cancel'), 301_000);
    assert.ok((at(decisions, 'restore') ?? 0) >= 271_000 + 300_000);
    assert.equal(decisions[decisions.length - 1]!.outcome, 'restored');
  });

  it('straight to low battery: the run turns critical and compresses the rest', async () => {
    const decisions = await homelab('straight-to-low-battery');
    const starts = decisions.filter((decision) => decision.kind === 'stage_start');
    assert.equal(starts.length, 5);
    assert.ok(starts[4]!.t < 300_000, 'the whole shutdown done within the battery\'s 5 minutes');
  });

  it('--compare: a policy triggering after 15 s instead of 2 m turns the blip into a run', async () => {
    const before = timelineEntries(await homelab('short-blip'));
    const after = timelineEntries(await homelab('short-blip', (text) => text.replace('"for":"2m"', '"for":"15s"')));
    const changes = compareTimelines(before, after);
    assert.equal(changes[0]!.change, 'only_in_b');
    assert.equal(changes[0]!.kind, 'trigger');
    assert.ok(changes.every((change) => change.change === 'only_in_b'));
  });

  it('a hanging target and a failing one are fed back as the trace says', async () => {
    const decisions = await homelab('clean-outage', (text) => text);
    assert.ok(decisions.some((decision) => decision.kind === 'stage_end' && decision.outcome === 'timed_out'));
    const failing = parseTrace('t.yaml', 'apiVersion: walnut/v1\nkind: Trace\nend: 10m\nsamples:\n  - { at: 0s, status: OB }\ntargets:\n  printer-plug: { fails: true }\n');
    const { ruleSet } = buildRuleSet(await loadRulesDir('rules'));
    const result = simulate(compilePolicy(ruleSet.policies.get('homelab')!.document), { armed: true, targetTypes: new Map() }, failing);
    assert.equal(result.decisions.find((decision) => decision.kind === 'stage_end')?.outcome, 'done_with_failures');
  });

  it('a broken trace names file, line and column', () => {
    assert.throws(() => parseTrace('bad.yaml', 'apiVersion: walnut/v1\nkind: Trace\nsamples:\n  - { at: soon, status: OB }\n'), (error: unknown) =>
      error instanceof RulesError && error.message === 'bad.yaml:4:11: must be a duration such as 90s, 5m or 1h30m');
  });
});
