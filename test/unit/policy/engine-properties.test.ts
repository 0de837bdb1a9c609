import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { compilePolicy } from '../../../src/policy/engine/compile';
import { initialState, step } from '../../../src/policy/engine/step';
import type { Decision, EngineState } from '../../../src/policy/engine/types';
import type { PolicyDocument, Stage, Trigger } from '../../../src/policy/spec';
import { BASE_TYPES } from '../../helpers/engine';

const TARGETS = ['pve', 'nas', 'lamp', 'switch'] as const;
const OPS = { pve: 'shutdown', nas: 'shutdown', lamp: 'off', switch: 'off' } as const;
const seconds = (value: number): string => `${value}s`;

const triggerArb: fc.Arbitrary<Trigger> = fc.oneof(
  fc.integer({ min: 0, max: 300 }).map((s) => ({ on_battery: { for: seconds(s) } })),
  fc.integer({ min: 1, max: 99 }).map((charge) => ({ battery_charge_below: charge })),
  fc.integer({ min: 60, max: 3600 }).map((s) => ({ runtime_below: seconds(s) })),
  fc.constant({ low_battery: true }),
  fc.integer({ min: 1, max: 20 }).map((rate) => ({ depletion_rate_above: rate })),
  fc.integer({ min: 10, max: 600 }).map((s) => ({ time_on_battery_above: seconds(s) })),
  fc.integer({ min: 5, max: 120 }).map((s) => ({ comm_lost: { for: seconds(s) } })),
);

const stagesArb: fc.Arbitrary<Stage[]> = fc.array(fc.record({
  gap: fc.integer({ min: 0, max: 600 }),
  timeout: fc.integer({ min: 5, max: 180 }),
  onTimeout: fc.constantFrom('continue', 'force', 'abort') as fc.Arbitrary<'continue' | 'force' | 'abort'>,
  parallel: fc.boolean(),
  targets: fc.uniqueArray(fc.constantFrom(...TARGETS), { minLength: 1, maxLength: 3 }),
}), { minLength: 1, maxLength: 4 }).map((stages) => {
  let after = 0;
  return stages.map((stage, index) => {
    after += stage.gap;
    return {
      name: `s${index}`, after: seconds(after), timeout: seconds(stage.timeout), on_timeout: stage.onTimeout, parallel: stage.parallel,
      actions: stage.targets.map((target) => ({ target, op: OPS[target] })),
    };
  });
});

const policyArb: fc.Arbitrary<PolicyDocument> = fc.record({
  triggers: fc.array(triggerArb, { minLength: 1, maxLength: 3 }),
  mode: fc.constantFrom('any', 'all'),
  stages: stagesArb,
  reserve: fc.integer({ min: 0, max: 120 }),
  cancel: fc.integer({ min: 1, max: 120 }),
  restoreOnline: fc.integer({ min: 1, max: 300 }),
  inverse: fc.boolean(),
}).map((p) => ({
  apiVersion: 'walnut/v1', kind: 'Policy', name: 'prop', ups: ['ups'],
  triggers: p.mode === 'any' ? { any: p.triggers } : { all: p.triggers },
  stages: p.stages, reserve: seconds(p.reserve), cancel_when: { online: { for: seconds(p.cancel) } },
  restore: { when: { online: { for: seconds(p.restoreOnline) } }, ...(p.inverse ? { inverse: true } : { actions: [{ target: 'lamp', op: 'on' }] }) },
}));

interface Segment {
  status: string;
  comm: 'ok' | 'stale' | 'lost';
  length: number;
  charge: number;
  runtime: number;
}

/** What each target does with an action: finish after some seconds, or hang. */
const behaviourArb = fc.record(Object.fromEntries(TARGETS.map((target) => [target, fc.option(fc.integer({ min: 0, max: 240 }), { nil: undefined })])) as Record<(typeof TARGETS)[number], fc.Arbitrary<number | undefined>>);

/** Feeds one sample a second and the actions' results when they are due; returns every decision. */
function run(document: PolicyDocument, samples: Array<{ status: string; comm: Segment['comm']; charge?: number; runtime?: number }>, takes: Record<string, number | undefined>): Decision[] {
  const policy = compilePolicy(document);
  const options = { armed: true, targetTypes: BASE_TYPES };
  let state: EngineState = initialState();
  const decisions: Decision[] = [];
  const due: Array<{ at: number; decision: Decision }> = [];
  const feed = (input: Parameters<typeof step>[3], at: number): void => {
    const result = step(policy, options, state, input, at);
    state = result.state;
    for (const decision of result.decisions) {
      decisions.push(decision);
      const delay = decision.target === undefined ? undefined : takes[decision.target];
      if ((decision.kind === 'action' || decision.kind === 'verify') && delay !== undefined) due.push({ at: at + delay * 1000, decision });
    }
  };
  samples.forEach((sample, second) => {
    const now = second * 1000;
    for (const entry of due.filter((item) => item.at <= now)) {
      due.splice(due.indexOf(entry), 1);
      const { decision } = entry;
      feed({ kind: 'result', runId: decision.runId, stage: decision.stage!, target: decision.target!, op: decision.op!, outcome: 'done' }, entry.at);
    }
    const flags = sample.status.split(' ');
    feed({ kind: 'sample', ups: 'ups', flags, comm: sample.comm, ...(sample.charge === undefined ? {} : { charge: sample.charge }), ...(sample.runtime === undefined ? {} : { runtime: sample.runtime }) }, now);
  });
  return decisions;
}

function expand(segments: Segment[]): Array<{ status: string; comm: Segment['comm']; charge: number; runtime: number }> {
  return segments.flatMap((segment) => Array.from({ length: segment.length }, () => ({ status: segment.status, comm: segment.comm, charge: segment.charge, runtime: segment.runtime })));
}

const segmentArb = (statuses: string[]): fc.Arbitrary<Segment> => fc.record({
  status: fc.constantFrom(...statuses),
  comm: fc.constantFrom('ok', 'ok', 'ok', 'stale', 'lost') as fc.Arbitrary<Segment['comm']>,
  length: fc.integer({ min: 1, max: 400 }),
  charge: fc.integer({ min: 0, max: 100 }),
  runtime: fc.integer({ min: 0, max: 3600 }),
});

describe('policy engine: properties over random traces (fast-check)', function () {
  this.timeout(120_000);

  it('never two concurrent runs: a run starts only when none is open, and every run ends through a cancel or a restore', () => {
    fc.assert(fc.property(policyArb, fc.array(segmentArb(['OL', 'OL CHRG', 'OB', 'OB DISCHRG', 'OB LB', 'OB CAL', 'OL LB', 'OB FSD']), { minLength: 1, maxLength: 30 }), behaviourArb, (document, segments, takes) => {
      const decisions = run(document, expand(segments), takes);
      let open: string | undefined;
      const history = new Map<string, Set<string>>();
      for (const decision of decisions) {
        const kinds = history.get(decision.runId) ?? new Set<string>();
        history.set(decision.runId, kinds);
        if (decision.kind === 'trigger') {
          assert.equal(open, undefined, `run ${decision.runId} started while ${open} was open`);
          open = decision.runId;
        }
        if (decision.kind === 'run_end') {
          assert.ok(kinds.has('cancel') || kinds.has('restore'), `${decision.runId} ended (${decision.outcome}) without a cancel or a restore`);
          open = undefined;
        }
        if (decision.kind !== 'trigger') assert.equal(decision.runId, open ?? decision.runId);
        kinds.add(decision.kind);
      }
    }), { numRuns: 300 });
  });

  it('never an action when the trace never leaves OL (comm gaps, LB while charging and all)', () => {
    fc.assert(fc.property(policyArb, fc.array(segmentArb(['OL', 'OL CHRG', 'OL LB', 'OL DISCHRG', 'OL BOOST', 'OL TRIM']), { minLength: 1, maxLength: 30 }), (document, segments) => {
      const decisions = run(document, expand(segments), {});
      assert.deepEqual(decisions, []);
    }), { numRuns: 300 });
  });

  it('every run that starts with enough runtime finishes before the battery is empty', () => {
    const outageArb = fc.record({
      onlineFor: fc.integer({ min: 0, max: 120 }),
      runtime: fc.integer({ min: 60, max: 7200 }),
      chargeDrop: fc.integer({ min: 0, max: 100 }),
    });
    fc.assert(fc.property(policyArb, outageArb, behaviourArb, (document, outage, takes) => {
      // A real battery: the runtime falls a second per second, LB in the last minute.
      const samples = [
        ...Array.from({ length: outage.onlineFor }, () => ({ status: 'OL', comm: 'ok' as const, charge: 100, runtime: outage.runtime })),
        ...Array.from({ length: outage.runtime + 1 }, (_, elapsed) => {
          const runtime = outage.runtime - elapsed;
          return { status: runtime < 60 ? 'OB DISCHRG LB' : 'OB DISCHRG', comm: 'ok' as const, charge: Math.max(0, 100 - (outage.chargeDrop * elapsed) / outage.runtime), runtime };
        }),
      ];
      const empty = (outage.onlineFor + outage.runtime) * 1000;
      const decisions = run(document, samples, takes);
      const trigger = decisions.find((decision) => decision.kind === 'trigger');
      if (!trigger) return;
      const policy = compilePolicy(document);
      const worstCase = policy.stages.reduce((total, stage) => total + stage.timeoutMs + 1000, 0);
      const runtimeAtTrigger = empty - trigger.t;
      fc.pre(runtimeAtTrigger - policy.reserveMs >= worstCase + 1000);
      const lastStage = policy.stages[policy.stages.length - 1]!.name;
      const ends = decisions.filter((decision) => decision.kind === 'stage_end' && decision.runId === trigger.runId);
      const finished = ends.find((decision) => decision.stage === lastStage) ?? ends.find((decision) => decision.outcome === 'timed_out' && policy.stages.find((stage) => stage.name === decision.stage)?.onTimeout === 'abort');
      assert.ok(finished, `the run never finished: ${JSON.stringify(decisions.map((decision) => [decision.t, decision.kind, decision.stage]))}`);
      assert.ok(finished.t <= empty, `finished at ${finished.t} ms, the battery was empty at ${empty} ms`);
    }), { numRuns: 300 });
  });

  it('step() never changes the state it is given', () => {
    fc.assert(fc.property(policyArb, fc.array(segmentArb(['OL', 'OB', 'OB LB', 'OL LB']), { minLength: 1, maxLength: 10 }), (document, segments) => {
      const policy = compilePolicy(document);
      let state = initialState();
      for (const [second, sample] of expand(segments).entries()) {
        const before = JSON.stringify(state);
        const result = step(policy, { armed: true, targetTypes: BASE_TYPES }, state, { kind: 'sample', ups: 'ups', flags: sample.status.split(' '), comm: sample.comm, runtime: sample.runtime }, second * 1000);
        assert.equal(JSON.stringify(state), before);
        state = result.state;
      }
    }), { numRuns: 100 });
  });
});
