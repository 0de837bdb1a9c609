import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRulesFile } from '../../../src/policy/rules-file';
import { syncRulesToStore } from '../../../src/policy/rules-store';
import { AuditLog, Policy } from '../../../src/store/models';
import { ensureSite } from '../../../src/store/sites';
import { walnut } from '../../helpers/process';
import { openTestStore } from '../../helpers/store';
import { tempDir } from '../../helpers/temp';

const BASE = 'test/fixtures/rules/base/targets.yaml';

describe('walnut rules CLI', () => {
  it('validate: the shipped rules/ folder is clean and exits 0', async () => {
    const result = await walnut(['rules', 'validate'], {});
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^checked 4 files: 0 errors, 0 warnings$/m);
  });

  it('validate: an error prints file:line:col: message and exits 1; --json carries the same', async () => {
    const broken = 'test/fixtures/rules/broken/unknown-action-target.yaml';
    const text = await walnut(['rules', 'validate', BASE, broken], {});
    assert.equal(text.code, 1);
    assert.match(text.stdout, /^test\/fixtures\/rules\/broken\/unknown-action-target\.yaml:11:19: no target named `nsa` \(did you mean `nas`\?\)$/m);

    const json = await walnut(['rules', 'validate', '--json', BASE, broken], {});
    assert.equal(json.code, 1);
    const report = JSON.parse(json.stdout) as { ok: boolean; errors: number; problems: Array<Record<string, unknown>> };
    assert.equal(report.ok, false);
    assert.equal(report.errors, 1);
    assert.deepEqual(report.problems.find((problem) => problem.severity === 'error'), {
      file: broken, line: 11, column: 19, severity: 'error', code: 'semantic.unknown_target',
      message: 'no target named `nsa` (did you mean `nas`?)',
    });
  });

  it('validate: warnings pass, and fail with --strict; a .yml file is pointed out', async () => {
    const dir = tempDir();
    fs.copyFileSync(BASE, path.join(dir, 'targets.yaml'));
    fs.copyFileSync('test/fixtures/rules/valid/v1alpha1.yaml', path.join(dir, 'legacy.yaml'));
    fs.writeFileSync(path.join(dir, 'notes.yml'), 'kind: Policy\n');
    const lenient = await walnut(['rules', 'validate', dir], {});
    assert.equal(lenient.code, 0, lenient.stdout);
    assert.match(lenient.stdout, /legacy\.yaml:2:13: warning: walnut\/v1alpha1 is read through a migration/);
    assert.match(lenient.stdout, /notes\.yml:1:1: warning: not loaded: only \*\.yaml files are rules/);
    const strict = await walnut(['rules', 'validate', '--strict', dir], {});
    assert.equal(strict.code, 1);
    assert.match(strict.stdout, /\(--strict: warnings fail\)/);
  });

  it('validate: a path that does not exist is a usage error', async () => {
    const result = await walnut(['rules', 'validate', 'no/such/rules'], {});
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no\/such\/rules: no such file or folder/);
  });

  it('override: stores and audits a switch, prints the effective flags; an unknown policy is refused', async () => {
    const { store, dbPath, env } = await openTestStore();
    const siteId = (await ensureSite(store.knex, 'default')).id;
    const file = readRulesFile('lab.yaml', fs.readFileSync('test/fixtures/rules/valid/minimal.yaml', 'utf8'));
    await syncRulesToStore(store.knex, siteId, { targets: [], policies: [{ name: 'minimal', file: 'lab.yaml', document: file.policies[0]!.document }] });
    await store.close();

    const result = await walnut(['rules', 'override', 'minimal', '--armed', 'off', '--db-path', dbPath], env);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'minimal: armed off (override), dry run off');
    const unknown = await walnut(['rules', 'override', 'nope', '--armed', 'off', '--db-path', dbPath], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no policy named "nope"/);
    const bad = await walnut(['rules', 'override', 'minimal', '--armed', 'maybe', '--db-path', dbPath], env);
    assert.equal(bad.code, 2);

    const reopened = (await openTestStore({ dbPath, key: env.WALNUT_DB_KEY })).store;
    try {
      const row = await Policy.query(reopened.knex).findOne({ name: 'minimal' });
      assert.equal(Boolean(row!.armed_override), false);
      assert.notEqual(row!.armed_override, null);
      const audit = await AuditLog.query(reopened.knex).where({ action: 'policy.override.set' });
      assert.equal(audit.length, 1);
      assert.match(audit[0]!.actor, /^cli:/);
    } finally {
      await reopened.close();
    }
  });
});

describe('walnut rules plan and simulate', () => {
  it('plan: the timeline and a margin against --runtime; exit 1 when it is below the reserve', async () => {
    const plenty = await walnut(['rules', 'plan', 'homelab', '--runtime', '30m', '--load-watts', '400'], {});
    assert.equal(plenty.code, 0, plenty.stderr);
    assert.match(plenty.stdout, /^ {2}guests +\+1m +→ \+6m +sheds 0 W, runtime left /m);
    assert.match(plenty.stdout, /margin: \S+ beyond the reserve \(ups@localhost: runtime 30m at 400 W, from --runtime\)/);
    const short = await walnut(['rules', 'plan', 'homelab', '--runtime', '8m', '--json'], {});
    assert.equal(short.code, 1);
    const [plan] = JSON.parse(short.stdout) as Array<{ policy: string; marginMs: number; worstEndMs: number }>;
    assert.equal(plan!.policy, 'homelab');
    assert.equal(plan!.worstEndMs, 690_000);
    assert.equal(plan!.marginMs, 8 * 60_000 - 690_000 - 180_000);
  });

  it('simulate --json prints one JSON line per decision of the documented kinds', async () => {
    const result = await walnut(['rules', 'simulate', '--policy', 'homelab', '--trace', 'rules/traces/power-back-mid-shutdown.yaml', '--json'], {});
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { t: number; kind: string; stage?: string; target?: string; op?: string });
    assert.deepEqual(lines.slice(0, 3), [
      { t: 180, kind: 'trigger', runId: 'homelab-1', rule: 'on_battery for 2m' },
      { t: 180, kind: 'stage_start', stage: 'shed', runId: 'homelab-1', rule: 'stage planned at +0s' },
      { t: 180, kind: 'action', stage: 'shed', target: 'printer-plug', op: 'off', runId: 'homelab-1', rule: 'stage started (parallel)' },
    ]);
    assert.ok(lines.every((line) => ['trigger', 'stage_start', 'action', 'cancel', 'restore', 'run_end'].includes(line.kind)));
    assert.ok(lines.some((line) => line.kind === 'cancel'));
  });

  it('simulate --compare prints the differences between two versions', async () => {
    const dir = tempDir();
    const other = path.join(dir, 'homelab-v2.yaml');
    fs.writeFileSync(other, fs.readFileSync('rules/homelab.yaml', 'utf8').replace('on_battery: { for: 2m }', 'on_battery: { for: 15s }'));
    const result = await walnut(['rules', 'simulate', '--policy', 'homelab', '--trace', 'rules/traces/short-blip.yaml', '--compare', other], {});
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /only in B  trigger at \+1m15s/);
  });
});
