import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createBackup } from '../../../src/archive/backups';
import { runImport, type ImportReport } from '../../../src/archive/importers';
import { ArchiveFormatError, RulesError } from '../../../src/errors';
import { buildRuleSet } from '../../../src/policy/rule-set';
import { loadRulesDir } from '../../../src/policy/rules-dir';
import type { SshTarget } from '../../../src/policy/spec';
import { AuditLog, Event } from '../../../src/store/models';
import { ensureSite } from '../../../src/store/sites';
import { openTestStore, type TestStore } from '../../helpers/store';
import { tempDir } from '../../helpers/temp';

const SECRET = 'S3cret-from-the-inventory';

const INVENTORY = `[web]
web01 ansible_host=10.0.0.5 ansible_user=deploy ansible_password=${SECRET}
web02 ansible_host=10.0.0.6 ansible_user=deploy

[walnut_proxmox]
pve2 ansible_host=10.0.0.2 walnut_node=pve2
`;

/** Every file of the folder with its text: "nothing written" means this does not change. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((name) => [name, fs.readFileSync(path.join(dir, name), 'utf8')]));
}

async function folderErrors(dir: string): Promise<string[]> {
  const { rejected } = buildRuleSet(await loadRulesDir(dir));
  return [...rejected.values()].flat().filter((problem) => problem.severity === 'error').map((problem) => problem.message);
}

describe('walnut import (runImport against a rules folder and an encrypted store)', () => {
  let test: TestStore;
  let siteId: number;
  let rulesDir: string;
  let inputs: string;

  before(async () => {
    test = await openTestStore();
    siteId = (await ensureSite(test.store.knex, 'default')).id;
  });

  after(async () => {
    await test.store.close();
  });

  beforeEach(() => {
    rulesDir = tempDir();
    inputs = tempDir();
    fs.copyFileSync('rules/targets.yaml', path.join(rulesDir, 'targets.yaml'));
  });

  const inventory = (text: string, name = 'lab.ini'): string => {
    const file = path.join(inputs, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const apply = (file: string, mode: 'skip' | 'overwrite' | 'rename', dryRun = false): Promise<ImportReport> =>
    runImport({ file, rulesDir, mode, dryRun, knex: test.store.knex, siteId, actor: 'cli:tester' });
  const importedPath = (): string => path.join(rulesDir, 'imported-lab.yaml');

  it('a dry run shows the plan and the file, and writes nothing', async () => {
    const before = snapshot(rulesDir);
    const report = await runImport({ file: inventory(INVENTORY), rulesDir, mode: 'skip', dryRun: true });
    assert.deepEqual(snapshot(rulesDir), before);
    assert.deepEqual(report.written, []);
    assert.equal(report.format, 'ansible-ini');
    assert.equal(report.file, importedPath());
    assert.deepEqual(report.plan.map((row) => [row.name, row.action]), [['web01', 'add'], ['web02', 'add'], ['pve2', 'add']]);
    assert.match(report.yaml, /kind: Targets/);
    assert.equal(report.yaml.includes(SECRET), false);
  });

  it('apply writes imported-lab.yaml that the rules loader accepts, and records an audit row and an event', async () => {
    const report = await apply(inventory(INVENTORY), 'skip');
    assert.deepEqual(report.written, [importedPath()]);
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.counts, { added: 3, overwritten: 0, renamed: 0, skipped: 0, conflicts: 0, rejected: 0, warnings: 1 });
    const text = fs.readFileSync(importedPath(), 'utf8');
    assert.equal(text.includes(SECRET), false, 'the password is never written');
    assert.match(text, /# key: the SSH private key, stored with `walnut secrets set ssh\/web01`/);
    assert.ok(report.notes.some((note) => note.entry === 'web01' && /never imports secrets.*walnut secrets set ssh\/web01/.test(note.message)));
    assert.equal(fs.readdirSync(rulesDir).some((name) => name.endsWith('.tmp')), false, 'no temp file left');

    assert.deepEqual(await folderErrors(rulesDir), []);
    const { ruleSet } = buildRuleSet(await loadRulesDir(rulesDir));
    assert.deepEqual(ruleSet.targets.get('web01')?.target, { type: 'ssh', host: '10.0.0.5', user: 'deploy', key: { secretRef: 'ssh/web01' } });
    assert.equal(ruleSet.targets.get('pve2')?.target.type, 'proxmox');

    const audit = await AuditLog.query(test.store.knex).where({ action: 'import.applied', resource: 'rules/imported-lab.yaml' });
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor, 'cli:tester');
    assert.equal(audit[0]!.site_id, siteId);
    assert.deepEqual(JSON.parse(audit[0]!.after!), { source: 'lab.ini', format: 'ansible-ini', added: 3, overwritten: 0, renamed: 0, skipped: 0, conflicts: 0, rejected: 0, warnings: 1 });
    const events = await Event.query(test.store.knex).where({ type: 'import.applied', source: 'import:ansible-ini' });
    assert.ok(events.some((event) => /lab\.ini into rules\/imported-lab\.yaml: 3 added/.test(event.message)));
  });

  it('re-import: skip adds nothing, rename adds -2 names, overwrite replaces the imported definitions', async () => {
    const file = inventory(INVENTORY);
    await apply(file, 'skip');
    const first = fs.readFileSync(importedPath(), 'utf8');

    const skipped = await apply(file, 'skip');
    assert.deepEqual(skipped.plan.map((row) => row.action), ['skip', 'skip', 'skip']);
    assert.deepEqual(skipped.written, []);
    assert.equal(fs.readFileSync(importedPath(), 'utf8'), first);

    const renamed = await apply(file, 'rename');
    assert.deepEqual(renamed.plan.map((row) => [row.name, row.action, row.importedAs]), [['web01-2', 'rename', 'web01'], ['web02-2', 'rename', 'web02'], ['pve2-2', 'rename', 'pve2']]);
    assert.deepEqual(await folderErrors(rulesDir), []);
    let targets = buildRuleSet(await loadRulesDir(rulesDir)).ruleSet.targets;
    assert.ok(['web01', 'web01-2', 'web02', 'web02-2', 'pve2', 'pve2-2'].every((name) => targets.has(name)));
    assert.deepEqual((targets.get('web01-2')?.target as SshTarget).key, { secretRef: 'ssh/web01-2' });

    const overwritten = await apply(inventory(INVENTORY.replace('ansible_user=deploy ansible_password', 'ansible_port=2200 ansible_user=ops ansible_password')), 'overwrite');
    assert.deepEqual(overwritten.plan.map((row) => [row.name, row.action]), [['web01', 'overwrite'], ['web02', 'overwrite'], ['pve2', 'overwrite']]);
    assert.deepEqual(await folderErrors(rulesDir), []);
    targets = buildRuleSet(await loadRulesDir(rulesDir)).ruleSet.targets;
    assert.deepEqual(targets.get('web01')?.target, { type: 'ssh', host: '10.0.0.5', port: 2200, user: 'ops', key: { secretRef: 'ssh/web01' } });
    assert.equal((targets.get('web01-2')?.target as SshTarget).user, 'deploy', 'the renamed copies stay');
    const text = fs.readFileSync(importedPath(), 'utf8');
    assert.equal(text.match(/^ {2}web01:$/gm)?.length, 1, 'replaced in place, not added twice');

    const audits = await AuditLog.query(test.store.knex).where({ action: 'import.applied' }).count({ n: '*' });
    assert.ok(Number((audits[0] as unknown as { n: number }).n) >= 4, 'one audit row per applied import');
  });

  it('overwrite moves a definition out of an earlier imported file, never out of a hand-written one', async () => {
    await apply(inventory('[web]\nweb01 ansible_host=10.9.9.9 ansible_user=old\n', 'old.ini'), 'skip');
    const handWritten = fs.readFileSync(path.join(rulesDir, 'targets.yaml'), 'utf8');
    const report = await apply(inventory(`${INVENTORY}nas ansible_host=10.0.0.30\n`), 'overwrite');
    const nas = report.plan.find((row) => row.name === 'nas');
    assert.equal(nas?.action, 'skip');
    assert.equal(nas.conflict, true);
    assert.match(nas.reason, /hand-written targets\.yaml; edit it there by hand/);
    assert.equal(report.counts.conflicts, 1);
    assert.equal(fs.readFileSync(path.join(rulesDir, 'targets.yaml'), 'utf8'), handWritten, 'the hand-written file is untouched');
    assert.equal(report.plan.find((row) => row.name === 'web01')?.action, 'overwrite');
    assert.deepEqual(report.written, [path.join(rulesDir, 'imported-old.yaml'), importedPath()]);
    assert.match(fs.readFileSync(path.join(rulesDir, 'imported-old.yaml'), 'utf8'), /^targets: \{\}$/m);
    assert.deepEqual(await folderErrors(rulesDir), []);
    const targets = buildRuleSet(await loadRulesDir(rulesDir)).ruleSet.targets;
    assert.equal((targets.get('web01')?.target as SshTarget).user, 'deploy');
    assert.equal((targets.get('nas')?.target as SshTarget).host, 'nas.lan');
  });

  it('a result that would not validate writes nothing and says why', async () => {
    const file = inventory(INVENTORY.replace('ansible_host=10.0.0.6', 'ansible_host=10.0.0.6 ansible_port=70000'));
    const before = snapshot(rulesDir);
    const events = (await Event.query(test.store.knex).where({ type: 'import.applied' })).length;

    const dry = await runImport({ file, rulesDir, mode: 'skip', dryRun: true });
    assert.equal(dry.problems.length, 1);
    assert.match(dry.problems[0]!.file, /imported-lab\.yaml$/);
    assert.match(dry.problems[0]!.message, /port.*65535/);

    await assert.rejects(apply(file, 'skip'), (error: unknown) => {
      assert.ok(error instanceof RulesError);
      assert.match(error.message, /imported-lab\.yaml:\d+:\d+: .*port.*65535/);
      return true;
    });
    assert.deepEqual(snapshot(rulesDir), before, 'nothing written, no temp file left');
    assert.equal((await Event.query(test.store.knex).where({ type: 'import.applied' })).length, events, 'and no history');
  });

  it('a damaged archive is refused, and nothing written', async () => {
    const file = path.join(inputs, 'backup.wnut');
    fs.writeFileSync(file, Buffer.concat([Buffer.from('WNUTARC1'), Buffer.alloc(64)]));
    const before = snapshot(rulesDir);
    await assert.rejects(runImport({ file, rulesDir, mode: 'skip', dryRun: false }), (error: unknown) => error instanceof ArchiveFormatError && /header length/.test(error.message));
    assert.deepEqual(snapshot(rulesDir), before);
  });

  it('imports another hub\'s targets from its archive, with fresh secret references', async () => {
    const other = await openTestStore();
    try {
      const otherSite = (await ensureSite(other.store.knex, 'default')).id;
      const now = Date.now();
      const ssh = { type: 'ssh', host: '10.9.0.4', user: 'ops', key: { secretRef: 'their/key' }, command: 'sudo poweroff' };
      await other.store.knex('hosts').insert({ site_id: otherSite, name: 'their-nas', type: 'ssh', address: '10.9.0.4', port: 22, config: JSON.stringify(ssh), created_at: now, updated_at: now });
      const plug = { type: 'shelly', host: '10.9.0.40', channel: 1 };
      await other.store.knex('integrations').insert({ site_id: otherSite, name: 'their-plug', type: 'shelly', config: JSON.stringify(plug), created_at: now, updated_at: now });
      await other.store.secrets().set('their/key', SECRET);
      const passphrase = 'moving targets between hubs';
      const { path: file } = await createBackup(other.store, { backupsDir: tempDir(), hubVersion: 'test', site: 'default', type: 'full', passphrase });
      await assert.rejects(runImport({ file, rulesDir, mode: 'skip', dryRun: true }), /passphrase/);
      const report = await runImport({ file, rulesDir, mode: 'skip', dryRun: false, knex: test.store.knex, siteId, archiveKeys: { passphrase } });
      assert.equal(report.format, 'archive');
      assert.deepEqual(report.plan.map((row) => [row.name, row.type, row.action]), [['their-nas', 'ssh', 'add'], ['their-plug', 'shelly', 'add']]);
      const imported = fs.readFileSync(report.file, 'utf8');
      assert.match(imported, /secretRef: ssh\/their-nas/);
      assert.ok(!imported.includes('their/key') && !imported.includes(SECRET), 'neither the other hub\'s secret nor its name');
      assert.deepEqual(await folderErrors(rulesDir), []);
    } finally {
      await other.store.close();
    }
  });
});
