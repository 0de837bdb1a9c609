/**
 * Backups and restores on real encrypted stores: chains of full and
 * incremental archives, another hub's master key, every kind of damage, a
 * decompression bomb, a restore killed mid-way, an archive of an older schema.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Knex } from 'knex';
import { createBackup, keySourceFor, listBackups } from '../../../src/archive/backups';
import { archiveKeys, decodeHeader, encodeHeader, sectionAad, type ArchiveHeader } from '../../../src/archive/format';
import { ArchiveReader } from '../../../src/archive/reader';
import { restoreArchive } from '../../../src/archive/restore';
import { ARCHIVED_TABLES } from '../../../src/archive/tables';
import { createArchive } from '../../../src/archive/writer';
import { ArchiveFormatError, ArchiveKeyError, ArchiveTamperedError, StoreError } from '../../../src/errors';
import { deriveKey } from '../../../src/store/aead';
import { FlowStore } from '../../../src/flows/flow-store';
import { decryptNodeRedCredentials, encryptNodeRedCredentials } from '../../../src/flows/node-red-credentials';
import { seedDemoData } from '../../../src/store/demo';
import { ensureSite } from '../../../src/store/sites';
import { migrationConfig, Store } from '../../../src/store/store';
import { childEnv, DIST, exited, waitForLine } from '../../helpers/process';
import { describeEachBackend, openTestStore, type TestStore } from '../../helpers/store';
import { tempDir, testKey } from '../../helpers/temp';

const PASSPHRASE = 'correct horse battery staple';
const CANARY = 'CANARY-archive-secret-31f9';

/** sha256 of every archived table, rows in key order, as JSON: equal hashes, equal tables. */
async function tableHashes(knex: Knex): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const table of ARCHIVED_TABLES) {
    if (!(await knex.schema.hasTable(table.name))) continue;
    const rows = (await knex(table.name).select('*').orderBy(table.key.map((column) => ({ column })))) as Array<Record<string, unknown>>;
    // Secrets are sealed per store: compare what they open to, through the name and plaintext, not the ciphertext.
    const comparable = table.name === 'secrets' ? rows.map(({ name, created_at, updated_at }) => ({ name, created_at, updated_at })) : rows;
    hashes[table.name] = createHash('sha256').update(JSON.stringify(comparable, (_key, value: unknown) => (Buffer.isBuffer(value) ? value.toString('base64') : value))).digest('hex');
  }
  return hashes;
}

const backupsDir = (): string => path.join(tempDir(), 'backups');

async function backup(store: Store, type: 'full' | 'incremental', options: { since?: string; passphrase?: string } = {}): Promise<string> {
  const created = await createBackup(store, { backupsDir: backupsDir(), hubVersion: 'test', site: 'default', type, ...options });
  return created.path;
}

/** Rewrites an archive's header (re-signed with the right key): what a crafted archive could say. */
async function rewriteHeader(file: string, change: (header: ArchiveHeader) => void, bodyChange?: (body: Buffer, header: ArchiveHeader, keys: ReturnType<typeof archiveKeys>) => Buffer): Promise<string> {
  const reader = await ArchiveReader.open(file, { passphrase: PASSPHRASE });
  const bytes = fs.readFileSync(file);
  const parsed = decodeHeader(bytes, file);
  const header = JSON.parse(JSON.stringify(parsed.header)) as ArchiveHeader;
  const keys = archiveKeys(deriveKey(reader.dataKey, 'walnut/archive/v1'), header.id);
  let body: Buffer = bytes.subarray(parsed.size);
  change(header);
  if (bodyChange) body = bodyChange(body, header, keys);
  const out = path.join(tempDir(), 'crafted.wnar');
  fs.writeFileSync(out, Buffer.concat([encodeHeader(header, keys.header), body]));
  return out;
}

describeEachBackend('backup and restore', function (backend) {
  this.timeout(120_000);
  let source: TestStore;
  let siteId: number;

  before(async () => {
    source = await openTestStore({ backend });
    siteId = (await ensureSite(source.store.knex, 'default')).id;
    await seedDemoData(source.store.knex, Date.now() - 3_600_000);
    await source.store.secrets().set('canary', CANARY);
    await source.store.secrets().set('doomed', 'removed before the incremental');
    await source.store.knex('mqtt_retained').insert({ site_id: siteId, topic: 'walnut/default/status', payload: Buffer.from([0, 1, 2, 255]), qos: 1, updated_at: Date.now() });
  });

  after(async () => {
    await source?.store.close();
  });

  it('restores a full and an incremental archive, in a chain, to identical tables on a hub with another master key', async () => {
    const full = await backup(source.store, 'full', { passphrase: PASSPHRASE });
    const { knex } = source.store;
    // Changes after the full backup: new rows, a changed row, a deleted secret (tombstone).
    const ups = (await knex('ups').first('id')) as { id: number };
    await knex('ups_samples').insert(Array.from({ length: 50 }, (_, index) => ({ ups_id: ups.id, ts: Date.now() + index, status: 'OB', battery_charge: 80 })));
    await knex('events').insert({ site_id: siteId, ts: Date.now(), severity: 'warning', type: 'test', source: 'test', message: 'after the full backup', created_at: Date.now(), updated_at: Date.now() });
    await knex('ups').where({ id: ups.id }).update({ description: 'renamed', updated_at: Date.now() });
    assert.equal(await source.store.secrets().remove('doomed'), true);
    const incremental = await backup(source.store, 'incremental', { since: full, passphrase: PASSPHRASE });
    const header = (await ArchiveReader.open(incremental, { passphrase: PASSPHRASE })).header;
    assert.equal(header.type, 'incremental');
    assert.ok(header.sections.find((section) => section.name === 'ups_samples')!.rows < 1000, 'only the rows changed since the base');

    const target = await openTestStore({ backend, key: testKey('other') });
    try {
      const targetSite = (await ensureSite(target.store.knex, 'default')).id;
      for (const file of [full, incremental]) {
        const reader = await ArchiveReader.open(file, { passphrase: PASSPHRASE });
        await restoreArchive(target.store, reader, { mode: 'replace', dryRun: false, actor: 'test', siteId: targetSite });
      }
      const restoredHashes = await tableHashes(target.store.knex);
      const sourceHashes = await tableHashes(knex);
      // The restores themselves are audited on the target: compare the audit trail without those rows.
      delete restoredHashes.audit_logs;
      delete sourceHashes.audit_logs;
      assert.deepEqual(restoredHashes, sourceHashes);
      assert.equal(await target.store.secrets().get('canary'), CANARY, 'secrets re-sealed for the other data key');
      assert.equal(await target.store.secrets().has('doomed'), false, 'the tombstone removed the deleted secret');
      const audit = await target.store.knex('audit_logs').where({ action: 'backup.restored' }).count({ n: '*' }).first() as { n: number };
      assert.equal(Number(audit.n), 2);
      const added = await ensureSite(target.store.knex, 'after-restore');
      assert.ok(added.id > Math.max(...((await target.store.knex('sites').whereNot({ name: 'after-restore' }).pluck('id')) as number[])), 'new rows get fresh ids after the restored ones');
    } finally {
      await target.store.close();
    }
  });

  if (backend === 'postgres') {
    it('refuses --replace on a fleet database that holds other sites, changing nothing', async () => {
      const file = await backup(source.store, 'full', { passphrase: PASSPHRASE });
      const fleet = await openTestStore({ backend });
      try {
        const north = (await ensureSite(fleet.store.knex, 'north')).id;
        await ensureSite(fleet.store.knex, 'south');
        const before = await tableHashes(fleet.store.knex);
        const reader = await ArchiveReader.open(file, { passphrase: PASSPHRASE });
        await assert.rejects(restoreArchive(fleet.store, reader, { mode: 'replace', dryRun: false, actor: 'test', siteId: north }), (error: unknown) => {
          assert.ok(error instanceof StoreError);
          assert.equal(error.code, 'RESTORE_WOULD_REPLACE_FLEET');
          assert.match(error.message, /"south".*--preserve-existing/);
          return true;
        });
        assert.deepEqual(await tableHashes(fleet.store.knex), before);
      } finally {
        await fleet.store.close();
      }
    });
  }

  it('lists and prunes only its own site\'s backups when two sites share the store', async () => {
    const shared = await openTestStore({ backend });
    const folder = backupsDir();
    const make = async (site: string) => (await createBackup(shared.store, { backupsDir: folder, hubVersion: 'test', site, type: 'full', keep: 2, tables: ['sites'] }));
    try {
      const south = [await make('south'), await make('south')];
      const north = [await make('north'), await make('north'), await make('north')];
      assert.deepEqual(north[2]!.pruned, [north[0]!.path], 'north keeps its newest two');
      assert.deepEqual(south.flatMap((created) => created.pruned), []);
      for (const created of south) assert.ok(fs.existsSync(created.path), 'south\'s files are not north\'s to remove');
      assert.deepEqual((await listBackups(shared.store, 'south')).map((row) => row.path), south.map((created) => created.path).reverse());
      assert.deepEqual((await listBackups(shared.store, 'north')).map((row) => row.path), [north[2]!.path, north[1]!.path]);
    } finally {
      await shared.store.close();
    }
  });

  it('re-seals the flows\' Node-RED credentials for the restoring hub\'s data key, so its editor and flows still open them', async () => {
    const origin = await openTestStore({ backend });
    const target = await openTestStore({ backend, key: testKey('credentials-target') });
    const credentialSecret = (store: Store): string => store.deriveKey('walnut/node-red-credentials/v1').toString('hex');
    const credentials = { 'nut-1': { username: 'monuser', password: CANARY } };
    try {
      const originSite = (await ensureSite(origin.store.knex, 'default')).id;
      await new FlowStore(origin.store.knex, originSite).save({ flows: [{ id: 'nut-1', type: 'nut-server' }], credentials: encryptNodeRedCredentials(credentialSecret(origin.store), credentials), actor: 'test' });
      const file = (await createBackup(origin.store, { backupsDir: backupsDir(), hubVersion: 'test', site: 'default', type: 'full', passphrase: PASSPHRASE })).path;
      const targetSite = (await ensureSite(target.store.knex, 'default')).id;
      await restoreArchive(target.store, await ArchiveReader.open(file, { passphrase: PASSPHRASE }), { mode: 'replace', dryRun: false, actor: 'test', siteId: targetSite });
      const restored = await new FlowStore(target.store.knex, targetSite).latest();
      assert.deepEqual(decryptNodeRedCredentials(credentialSecret(target.store), restored!.credentials as { $: string }), credentials);
    } finally {
      await target.store.close();
      await origin.store.close();
    }
  });

  it('refuses a wrong passphrase, and another master key without one', async () => {
    const withPassphrase = await backup(source.store, 'full', { passphrase: PASSPHRASE });
    await assert.rejects(ArchiveReader.open(withPassphrase, { passphrase: 'wrong' }), (error: unknown) => error instanceof ArchiveKeyError && /wrong passphrase/.test(error.message));
    await assert.rejects(ArchiveReader.open(withPassphrase, {}), (error: unknown) => error instanceof ArchiveKeyError && /--passphrase-file/.test(error.message));
    const withMasterKey = await backup(source.store, 'full');
    await ArchiveReader.open(withMasterKey, keySourceFor(source.store));
    const other = await openTestStore({ backend, key: testKey('x') });
    try {
      await assert.rejects(ArchiveReader.open(withMasterKey, keySourceFor(other.store)), (error: unknown) => error instanceof ArchiveKeyError && /another master key/.test(error.message));
    } finally {
      await other.store.close();
    }
  });

  it('names the section that was changed, whichever it is, and the header', async () => {
    const file = await backup(source.store, 'full', { passphrase: PASSPHRASE });
    const bytes = fs.readFileSync(file);
    const parsed = decodeHeader(bytes, file);
    for (const section of parsed.header.sections) {
      const damaged = Buffer.from(bytes);
      damaged[parsed.size + section.offset + Math.floor(section.length / 2)]! ^= 0x01;
      const out = path.join(tempDir(), `${section.name}.wnar`);
      fs.writeFileSync(out, damaged);
      const reader = await ArchiveReader.open(out, { passphrase: PASSPHRASE });
      await assert.rejects(reader.verify(), (error: unknown) => error instanceof ArchiveTamperedError && error.section === section.name && error.message.includes(`"${section.name}"`), section.name);
    }
    const damagedHeader = Buffer.from(bytes);
    const at = bytes.indexOf('"hubVersion":"test"') + '"hubVersion":"'.length;
    damagedHeader[at] = 'T'.charCodeAt(0);
    const out = path.join(tempDir(), 'header.wnar');
    fs.writeFileSync(out, damagedHeader);
    await assert.rejects(ArchiveReader.open(out, { passphrase: PASSPHRASE }), (error: unknown) => error instanceof ArchiveTamperedError && error.section === 'header');
    fs.writeFileSync(out, bytes.subarray(0, parsed.size + 10));
    await assert.rejects(ArchiveReader.open(out, { passphrase: PASSPHRASE }), (error: unknown) => error instanceof ArchiveTamperedError && /outside the file/.test(error.message));
    fs.writeFileSync(out, 'not an archive at all');
    await assert.rejects(ArchiveReader.open(out, {}), (error: unknown) => error instanceof ArchiveFormatError && /not a walNUT archive/.test(error.message));
  });

  it('refuses section names that are not its tables, such as paths', async () => {
    const file = await backup(source.store, 'full', { passphrase: PASSPHRASE });
    const crafted = await rewriteHeader(file, (header) => {
      header.sections[0]!.name = '../../etc/passwd';
    });
    await assert.rejects(ArchiveReader.open(crafted, { passphrase: PASSPHRASE }), (error: unknown) => error instanceof ArchiveFormatError && /"\.\.\/\.\.\/etc\/passwd" is not a table/.test(error.message));
    const reader = await ArchiveReader.open(file, { passphrase: PASSPHRASE });
    await assert.rejects(restoreArchive(source.store, reader, { mode: 'replace', dryRun: true, actor: 'test', siteId, tables: ['../sites'] }), ArchiveFormatError);
  });

  it('stops a decompression bomb at the size its header declares', async () => {
    const file = await backup(source.store, 'full', { passphrase: PASSPHRASE });
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    const crafted = await rewriteHeader(file, () => undefined, (body, header, keys) => {
      const section = header.sections.find((candidate) => candidate.name === 'events')!;
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keys.sections, nonce);
      cipher.setAAD(sectionAad(header.id, 'events'));
      const sealed = Buffer.concat([cipher.update(bomb), cipher.final()]);
      const grown = sealed.length - section.length;
      Object.assign(section, { length: sealed.length, sha256: createHash('sha256').update(sealed).digest('hex'), nonce: nonce.toString('base64'), tag: cipher.getAuthTag().toString('base64'), plainBytes: 4096 });
      for (const later of header.sections.filter((candidate) => candidate.offset > section.offset)) later.offset += grown;
      return Buffer.concat([body.subarray(0, section.offset), sealed, body.subarray(section.offset + section.length - grown)]);
    });
    const reader = await ArchiveReader.open(crafted, { passphrase: PASSPHRASE });
    const used = process.memoryUsage().rss;
    await assert.rejects(reader.verify(), (error: unknown) => error instanceof ArchiveTamperedError && error.section === 'events' && /inflates beyond the 4096 bytes/.test(error.message));
    assert.ok(process.memoryUsage().rss - used < 48 * 1024 * 1024, 'the bomb was not inflated into memory');
  });

  it('leaves the store exactly as it was when a restore is killed mid-way', async () => {
    const file = await backup(source.store, 'full', { passphrase: PASSPHRASE });
    const dir = tempDir();
    const dbPath = path.join(dir, 'walnut.db');
    const key = testKey('kill');
    const victim = await openTestStore({ backend, dbPath, key });
    const databaseUrl = victim.databaseUrl === undefined ? {} : { databaseUrl: victim.databaseUrl };
    await ensureSite(victim.store.knex, 'default');
    await victim.store.secrets().set('own', 'kept');
    const before = await tableHashes(victim.store.knex);
    await victim.store.close();

    const passphraseFile = path.join(dir, 'passphrase');
    fs.writeFileSync(passphraseFile, PASSPHRASE);
    const child = spawn(process.execPath, [path.join(DIST, 'src/cli/walnut.js'), 'backup', 'restore', file, '--replace', '--passphrase-file', passphraseFile, '--json'], {
      env: childEnv({ WALNUT_DB_PATH: dbPath, WALNUT_DB_KEY: key, WALNUT_TEST_RESTORE_PAUSE_ROWS: '3000', DATABASE_URL: victim.databaseUrl }), stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForLine(child, /restore paused after \d+ rows/);
    child.kill('SIGKILL');
    await exited(child);

    const after = await Store.open({ settings: { dbPath, production: false, allowNetworkFs: false, ...databaseUrl }, env: { WALNUT_DB_KEY: key }, lockAs: 'after the kill' });
    try {
      assert.deepEqual(await tableHashes(after.knex), before, 'not one row of the killed restore remains');
      assert.equal(await after.secrets().get('own'), 'kept');
    } finally {
      await after.close();
    }
  });

  it('restores an archive of an older schema, migrating it on the way', async () => {
    const old = await openTestStore({ backend, migrate: false });
    try {
      for (let step = 0; step < 4; step += 1) await old.store.knex.migrate.up(migrationConfig());
      await old.store.close();
      const reopened = await Store.open({
        settings: { dbPath: old.dbPath, production: false, allowNetworkFs: false, ...(old.databaseUrl === undefined ? {} : { databaseUrl: old.databaseUrl }) }, env: old.env, migrate: false,
      });
      old.store = reopened;
      const oldSite = (await ensureSite(reopened.knex, 'old-site')).id;
      await reopened.knex('events').insert({ site_id: oldSite, ts: 1, severity: 'info', type: 'old', source: 'old', message: 'from schema 004', created_at: 1, updated_at: 1 });
      await reopened.secrets().set('old-secret', 'still readable');
      // The archive file alone, as a hub of that schema wrote it (its catalogue row had no site yet).
      const file = path.join(backupsDir(), 'schema-004.wnar');
      await createArchive(reopened, { out: file, hubVersion: 'old', site: 'old-site', type: 'full', passphrase: PASSPHRASE });
      const reader = await ArchiveReader.open(file, { passphrase: PASSPHRASE });
      assert.equal(reader.header.migrations.at(-1), '004_users_audit_flows_archives');
      assert.ok(!reader.header.sections.some((section) => section.name === 'mqtt_retained'), 'the old schema had no MQTT tables');

      const target = await openTestStore({ backend });
      try {
        const report = await restoreArchive(target.store, reader, { mode: 'replace', dryRun: false, actor: 'test', siteId: (await ensureSite(target.store.knex, 'default')).id });
        assert.equal(report.migratedFrom, '004_users_audit_flows_archives');
        assert.equal(((await target.store.knex('events').where({ type: 'old' }).first()) as { message: string }).message, 'from schema 004');
        assert.equal(await target.store.secrets().get('old-secret'), 'still readable');
      } finally {
        await target.store.close();
      }
    } finally {
      await old.store.close().catch(() => undefined);
    }
  });

  it('dry-runs: rows and conflicts per table, nothing changed', async () => {
    const file = await backup(source.store, 'full', { passphrase: PASSPHRASE });
    const before = await tableHashes(source.store.knex);
    const reader = await ArchiveReader.open(file, { passphrase: PASSPHRASE });
    const report = await restoreArchive(source.store, reader, { mode: 'preserve-existing', dryRun: true, actor: 'test', siteId });
    const samples = report.tables.find((table) => table.table === 'ups_samples')!;
    assert.ok(samples.rows > 1000);
    assert.equal(samples.conflicts, samples.rows, 'every row is already there');
    assert.deepEqual(await tableHashes(source.store.knex), before);
  });
});
