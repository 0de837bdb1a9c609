import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EventBus } from '../../../src/bus';
import { silentLogger } from '../../../src/logger';
import { readEffectiveFlags, setOverride } from '../../../src/policy/overrides';
import { formatProblem } from '../../../src/policy/problems';
import { RulesService } from '../../../src/policy/rules-service';
import type { PolicyDocument } from '../../../src/policy/spec';
import { AuditLog, Host, Integration, Policy } from '../../../src/store/models';
import { ensureSite } from '../../../src/store/sites';
import type { Store } from '../../../src/store/store';
import { nextOf } from '../../helpers/bus';
import { openTestStore } from '../../helpers/store';
import { tempDir } from '../../helpers/temp';

const policyText = (options: { op?: string; armed?: boolean; stage?: string } = {}): string => `apiVersion: walnut/v1
kind: Policy
name: lab
ups: [ups@localhost]
armed: ${String(options.armed ?? true)}
triggers:
  any:
    - on_battery: { for: 1m }
stages:
  - name: ${options.stage ?? 'first'}
    actions:
      - { target: nas, op: ${options.op ?? 'shutdown'} }
`;

describe('rules hot reload (real folder, real encrypted store)', () => {
  let store: Store;
  let siteId: number;
  let dir: string;
  let bus: EventBus;
  let service: RulesService;
  const policyFile = (): string => path.join(dir, 'lab.yaml');

  beforeEach(async () => {
    store = (await openTestStore()).store;
    siteId = (await ensureSite(store.knex, 'default')).id;
    dir = tempDir();
    await fs.copyFile('test/fixtures/rules/base/targets.yaml', path.join(dir, 'targets.yaml'));
    await fs.writeFile(policyFile(), policyText());
    bus = new EventBus();
    service = new RulesService({ dir, bus, logger: silentLogger(), store: { knex: store.knex, siteId }, debounceMs: 50 });
    const loaded = nextOf(bus.onRulesLoaded.bind(bus));
    await service.start();
    await loaded;
  });

  afterEach(async () => {
    await service.stop();
    await store.close();
  });

  it('derives hosts, integrations and policies from the YAML on start', async () => {
    const hosts = await Host.query(store.knex).where({ site_id: siteId }).orderBy('name');
    assert.deepEqual(hosts.map((host) => [host.name, host.type, host.address, host.port]), [
      ['hub', 'ssh', 'localhost', 22], ['nas', 'ssh', 'nas.lan', 22], ['wake', 'wol', '127.0.0.1', 9],
    ]);
    const integrations = await Integration.query(store.knex).where({ site_id: siteId }).orderBy('name');
    assert.deepEqual(integrations.map((row) => [row.name, row.type, row.secret_ref]), [
      ['lamp', 'tapo', 'tapo'], ['pve', 'proxmox', 'pve-token'], ['rack', 'ups', 'nut/admin'], ['switch', 'shelly', null],
    ]);
    const policy = await Policy.query(store.knex).findOne({ site_id: siteId, name: 'lab' });
    assert.ok(policy?.source_file?.endsWith('lab.yaml'));
    assert.equal((JSON.parse(policy!.spec!) as PolicyDocument).stages[0]!.name, 'first');
  });

  it('good → broken → good: the last good version runs in between, and the fix runs', async () => {
    const before = await Policy.query(store.knex).findOne({ site_id: siteId, name: 'lab' });
    const runningSha256 = [...service.current().files.values()].find((file) => file.file.endsWith('lab.yaml'))!.sha256;

    const rejected = nextOf(bus.onRulesRejected.bind(bus));
    await fs.writeFile(policyFile(), policyText({ op: 'halt', stage: 'second' }));
    const rejection = await rejected;
    assert.ok(rejection.file.endsWith('lab.yaml'));
    assert.equal(rejection.runningSha256, runningSha256);
    assert.match(formatProblem(rejection.problems[0]!), /lab\.yaml:12:28: `op` must be one of/);
    assert.equal(service.current().policies.get('lab')!.document.stages[0]!.name, 'first');
    assert.ok(service.rejected().has(rejection.file));
    const during = await Policy.query(store.knex).findOne({ site_id: siteId, name: 'lab' });
    assert.equal(during!.spec, before!.spec);

    const loaded = nextOf(bus.onRulesLoaded.bind(bus));
    await fs.writeFile(policyFile(), policyText({ stage: 'second' }));
    const load = await loaded;
    assert.ok(load.changedFile?.endsWith('lab.yaml'));
    assert.equal(service.current().policies.get('lab')!.document.stages[0]!.name, 'second');
    assert.equal(service.rejected().size, 0);
    const after = await Policy.query(store.knex).findOne({ site_id: siteId, name: 'lab' });
    assert.equal((JSON.parse(after!.spec!) as PolicyDocument).stages[0]!.name, 'second');
  });

  it('a change that breaks another file is refused, and the error names that file', async () => {
    const rejected = nextOf(bus.onRulesRejected.bind(bus));
    const targets = await fs.readFile(path.join(dir, 'targets.yaml'), 'utf8');
    await fs.writeFile(path.join(dir, 'targets.yaml'), targets.replace(/^ {2}nas:/m, '  nas2:'));
    const rejection = await rejected;
    assert.ok(rejection.file.endsWith('targets.yaml'));
    assert.ok(rejection.problems.some((problem) => problem.file.endsWith('lab.yaml') && /no target named `nas`/.test(problem.message)));
    assert.ok(service.current().targets.has('nas'));
  });

  it('an editor-style save (write a temp file, rename it over) is picked up; hidden temp files are not rules', async () => {
    const loaded = nextOf(bus.onRulesLoaded.bind(bus), (event) => event.changedFile?.endsWith('lab.yaml') === true);
    const temporary = path.join(dir, '.lab.yaml.swp');
    await fs.writeFile(temporary, policyText({ stage: 'renamed' }));
    await fs.rename(temporary, policyFile());
    await loaded;
    assert.equal(service.current().policies.get('lab')!.document.stages[0]!.name, 'renamed');
  });

  it('a deleted policy file stops the policy and deletes its row (with a tombstone)', async () => {
    const loaded = nextOf(bus.onRulesLoaded.bind(bus));
    await fs.rm(policyFile());
    const load = await loaded;
    assert.deepEqual(load.policies, []);
    assert.equal(await Policy.query(store.knex).findOne({ site_id: siteId, name: 'lab' }), undefined);
    const tombstones = await store.knex('tombstones').where({ table_name: 'policies' });
    assert.equal(tombstones.length, 1);
  });

  it('an override is stored and audited, and dropped (audited) when the YAML value changes', async () => {
    const flags = await setOverride(store.knex, siteId, 'lab', { armed: false, dryRun: true }, 'test:ha');
    assert.deepEqual(flags, { armed: false, dryRun: true, armedOverridden: true, dryRunOverridden: true });
    assert.deepEqual(await readEffectiveFlags(store.knex, siteId, 'lab'), flags);

    // A change elsewhere in the file keeps both overrides.
    let loaded = nextOf(bus.onRulesLoaded.bind(bus));
    await fs.writeFile(policyFile(), policyText({ stage: 'other' }));
    assert.deepEqual((await loaded).droppedOverrides, []);
    assert.equal((await readEffectiveFlags(store.knex, siteId, 'lab')).armedOverridden, true);

    // The YAML's own `armed` changes: that override goes, the dry-run one stays.
    loaded = nextOf(bus.onRulesLoaded.bind(bus));
    await fs.writeFile(policyFile(), policyText({ stage: 'other', armed: false }));
    assert.deepEqual((await loaded).droppedOverrides, [{ policy: 'lab', flag: 'armed' }]);
    assert.deepEqual(await readEffectiveFlags(store.knex, siteId, 'lab'), {
      armed: false, dryRun: true, armedOverridden: false, dryRunOverridden: true,
    });
    // Each accepted change of the file is audited too.
    const reloads = await AuditLog.query(store.knex).where({ site_id: siteId, action: 'rules.reloaded' }).orderBy('id');
    assert.deepEqual(reloads.slice(-2).map((row) => [row.actor, row.resource]), [['rules-loader', 'rules/lab.yaml'], ['rules-loader', 'rules/lab.yaml']]);
    const [previous, last] = reloads.slice(-2).map((row) => JSON.parse(row.after!) as { sha256: string; policies: string[] });
    assert.deepEqual(last?.policies, ['lab']);
    assert.equal((JSON.parse(reloads.at(-1)!.before!) as { sha256: string }).sha256, previous?.sha256, 'before is the version it replaced');
    const audit = await AuditLog.query(store.knex).where({ site_id: siteId }).whereNot({ action: 'rules.reloaded' }).orderBy('id');
    assert.deepEqual(audit.map((row) => [row.actor, row.action, row.resource]), [
      ['test:ha', 'policy.override.set', 'policy/lab'],
      ['rules-loader', 'policy.override.dropped', 'policy/lab/armed'],
    ]);
    assert.deepEqual(JSON.parse(audit[0]!.after!), { armed: false, dry_run: true });
  });
});
