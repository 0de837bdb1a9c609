import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { budgetProblems } from '../../../src/policy/budget';
import { compilePolicy } from '../../../src/policy/engine/compile';
import { planPolicy } from '../../../src/policy/plan';
import { formatProblem } from '../../../src/policy/problems';
import { readRulesFile } from '../../../src/policy/rules-file';
import type { Target } from '../../../src/policy/spec';
import { validateRules } from '../../../src/policy/validate';

const TARGETS = new Map<string, Target>([
  ['plug', { type: 'tapo', host: 'p', credentials: { secretRef: 't' }, watts: 100 }],
  ['pve', { type: 'proxmox', url: 'https://pve:8006', token: { secretRef: 'x' }, node: 'pve', watts: 200 }],
]);
const policy = (): ReturnType<typeof compilePolicy> => compilePolicy(readRulesFile('p.yaml', `apiVersion: walnut/v1
kind: Policy
name: p
ups: [ups]
reserve: 2m
triggers: { any: [{ fsd: true }] }
stages:
  - { name: one, timeout: 1m, actions: [{ target: plug, op: 'off' }] }
  - { name: two, after: 5m, timeout: 2m, actions: [{ target: pve, op: shutdown }] }
  - { name: three, timeout: 1m, actions: [{ target: pve, op: poweroff }] }
`).policies[0]!.document, TARGETS);

describe('plan and runtime budget', () => {
  it('timeline: planned starts, worst-case ends; watts shed only when power is cut, once per target', () => {
    const plan = planPolicy(policy());
    assert.deepEqual(plan.stages.map((stage) => [stage.name, stage.startMs / 1000, stage.worstEndMs / 1000, stage.shedW]), [
      ['one', 0, 60, 100], ['two', 300, 420, 0], ['three', 420, 480, 200],
    ]);
    assert.equal(plan.worstEndMs, 480_000);
    assert.equal(plan.marginMs, undefined);
  });

  it('margin: runtime at the reported load, lengthened as the load falls', () => {
    // 20 min at 400 W = 480,000 W·s. 60 s at 400, then 360 s at 300, then 60 s at 300: 126,000 W·s used, 60 s at 100 after.
    const plan = planPolicy(policy(), { runtimeS: 1200, loadW: 400 });
    assert.equal(plan.stages[0]!.runtimeLeftMs, Math.round(((480_000 - 60 * 400) / 300) * 1000));
    const used = 60 * 400 + 420 * 300;
    assert.equal(plan.marginMs, Math.round(((480_000 - used) / 100) * 1000) - 120_000);
    const noLoad = planPolicy(policy(), { runtimeS: 600 });
    assert.equal(noLoad.marginMs, 600_000 - 480_000 - 120_000, 'without a load the runtime just runs down');
  });

  it('validate warns (a warning, an error under --strict) when the margin is below the reserve', async () => {
    const file = readRulesFile('p.yaml', await fs.readFile(path.join('rules', 'homelab.yaml'), 'utf8'));
    const targets = readRulesFile('t.yaml', await fs.readFile(path.join('rules', 'targets.yaml'), 'utf8'));
    assert.deepEqual(budgetProblems([file, targets], () => ({ runtimeS: 3600, loadW: 400 })), []);
    const short = budgetProblems([file, targets], () => ({ runtimeS: 600, loadW: 400 }));
    assert.deepEqual(short.map(formatProblem), [
      'p.yaml:10:1: warning: policy `homelab`: at worst its stages end 11m30s after the trigger with 54s runtime left, less than its reserve of 3m (ups@localhost: runtime 10m at 400 W); shorten the timeouts, move stages earlier or trigger sooner',
    ]);
    const report = await validateRules(['rules'], () => Promise.resolve(() => ({ runtimeS: 600, loadW: 400 })));
    assert.equal(report.warnings, 1);
    assert.equal(report.errors, 0);
  });
});
