import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { formatProblem } from '../../../src/policy/problems';
import { readRulesFile } from '../../../src/policy/rules-file';
import { validateRules } from '../../../src/policy/validate';

const FIXTURES = 'test/fixtures/rules';
const BASE_TARGETS = path.join(FIXTURES, 'base/targets.yaml');

describe('rules: valid files', () => {
  it('the shipped examples in rules/ validate with neither error nor warning', async () => {
    const report = await validateRules(['rules']);
    assert.deepEqual(report.problems.map(formatProblem), []);
    assert.ok(report.files.length >= 3);
  });

  it('ten or more valid fixtures, each clean with the base targets', async () => {
    const names = (await fs.readdir(path.join(FIXTURES, 'valid'))).filter((name) => name.endsWith('.yaml'));
    assert.ok(names.length >= 10, `only ${names.length}`);
    for (const name of names) {
      const file = path.join(FIXTURES, 'valid', name);
      const report = await validateRules([BASE_TARGETS, file]);
      const own = report.problems.filter((problem) => problem.file === file && problem.code !== 'migrated');
      assert.deepEqual(own.map(formatProblem), [], name);
      assert.equal(report.errors, 0, name);
    }
  });

  it('a walnut/v1alpha1 file is migrated to v1 with a warning at its apiVersion', async () => {
    const file = path.join(FIXTURES, 'valid/v1alpha1.yaml');
    const loaded = readRulesFile(file, await fs.readFile(file, 'utf8'));
    assert.deepEqual(loaded.problems.map(formatProblem), [
      `${file}:2:13: warning: walnut/v1alpha1 is read through a migration; rewrite this document as walnut/v1 (see rules/README.md)`,
    ]);
    const policy = loaded.policies[0]!.document;
    assert.equal(policy.apiVersion, 'walnut/v1');
    assert.equal(policy.dry_run, true);
    assert.equal(policy.reserve, '2m');
    assert.deepEqual(policy.triggers, { any: [{ on_battery: { for: '1m30s' } }, { runtime_below: '10m' }] });
    assert.deepEqual([policy.stages[0]!.after, policy.stages[0]!.timeout], ['30s', '5m']);
  });

  it('anchors and merge keys give the stage their shared settings', async () => {
    const file = path.join(FIXTURES, 'valid/anchors.yaml');
    const policy = readRulesFile(file, await fs.readFile(file, 'utf8')).policies[0]!.document;
    assert.deepEqual(policy.stages[1], {
      name: 'second', timeout: '30s', on_timeout: 'continue', after: '1m', actions: [{ target: 'nas', op: 'shutdown' }],
    });
  });
});
