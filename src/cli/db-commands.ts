import * as fs from 'node:fs';
import { writeFileAtomically } from '../atomic-file';
import { StoreUnsupportedError, UsageError, WalnutError } from '../errors';
import { hasDemoData, seedDemoData } from '../store/demo';
import { runEncryptionSelfTest } from '../store/encryption-selftest';
import { checkHealth } from '../store/health';
import { redactDatabaseUrl } from '../store/postgres/knex-postgres';
import { copyStore } from '../store/copy';
import { storeInfo } from '../store/info';
import { generatedKeyPath, type MasterKey, resolveMasterKey } from '../store/master-key';
import { rekeyFleetDatabase } from '../store/postgres/rekey';
import { osActor, readNewKey, rekeyDatabase } from '../store/rekey';
import { RetentionService } from '../store/retention';
import { schemaStatus } from '../store/schema-status';
import { ensureSite } from '../store/sites';
import { migrationConfig, Store } from '../store/store';
import { acquireStoreLock } from '../store/store-lock';
import { EventBus } from '../bus';
import { silentLogger } from '../logger';
import { cliSettings, formatBytes, type GlobalOptions, printJson, println } from './common';

interface JsonOption {
  json?: boolean;
}

function refuseOnPostgres(settings: { databaseUrl?: string }, command: string, why: string): void {
  if (settings.databaseUrl !== undefined) throw new StoreUnsupportedError(`walnut-db ${command} works on the SQLite store only (${why}); DATABASE_URL is set`);
}

async function withStore<T>(options: GlobalOptions, open: { migrate: boolean; lockAs?: string }, work: (store: Store) => Promise<T>): Promise<T> {
  const settings = cliSettings(options);
  const store = await Store.open({ settings, migrate: open.migrate, ...(open.lockAs === undefined ? {} : { lockAs: open.lockAs }) });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export async function initCommand(options: GlobalOptions & JsonOption & { demo?: boolean }): Promise<void> {
  const settings = cliSettings(options);
  const existed = settings.databaseUrl !== undefined || fs.existsSync(settings.dbPath);
  await withStore(options, { migrate: true, lockAs: 'walnut-db init' }, async (store) => {
    await ensureSite(store.knex, settings.site);
    let demo;
    if (options.demo) {
      if (await hasDemoData(store.knex)) throw new UsageError(`${store.dbPath} already holds the demo data; run "walnut-db reset --yes" first to seed it again`);
      demo = await seedDemoData(store.knex);
      await new RetentionService(store.knex, new EventBus(), silentLogger(), settings.retention).runOnce();
    }
    const schema = await schemaStatus(store.knex);
    const result = { dbPath: store.dbPath, created: !existed, keySource: store.masterKeySource, schemaVersion: schema.version, site: settings.site, demo };
    if (options.json) return printJson(result);
    println(`${existed ? 'opened' : 'created'} ${store.dbPath} (master key from ${store.masterKeySource})`);
    println(`schema at ${schema.version ?? '(empty)'}; site "${settings.site}"`);
    if (demo) println(`demo data: ${demo.sites} sites, ${demo.ups} UPSes, ${demo.hosts} hosts, ${demo.samples} samples over 24 h, ${demo.events} events`);
  });
}

export async function healthCommand(options: GlobalOptions & JsonOption): Promise<void> {
  let report;
  try {
    report = await withStore(options, { migrate: false }, (store) => checkHealth(store));
  } catch (error) {
    if (!(error instanceof WalnutError)) throw error;
    // Unable to open is itself the health answer: report it in the asked format, exit non-zero.
    const settings = cliSettings(options);
    const failure = { healthy: false, dbPath: settings.databaseUrl === undefined ? settings.dbPath : redactDatabaseUrl(settings.databaseUrl), error: { code: error.code, message: error.message } };
    if (options.json) printJson(failure);
    else println(`UNHEALTHY ${failure.dbPath}: ${error.message}`);
    process.exitCode = 1;
    return;
  }
  if (!report.healthy) process.exitCode = 1;
  if (options.json) return printJson(report);
  println(`${report.healthy ? 'healthy' : 'UNHEALTHY'} ${report.dbPath}`);
  println(`  key from       ${report.keySource}`);
  if (report.backend === 'sqlite') {
    println(`  file size      ${formatBytes(report.fileSizeBytes)} (+ ${formatBytes(report.walSizeBytes)} WAL)`);
    println(`  cipher         ${report.cipher.description}`);
  } else {
    println(`  server         PostgreSQL ${report.serverVersion}`);
    println(`  database size  ${formatBytes(report.databaseSizeBytes)}; ${report.connections} walNUT session(s) open`);
    for (const site of report.sites) {
      const last = site.lastSampleAt === null ? 'no samples yet' : `newest sample ${new Date(site.lastSampleAt).toISOString()}`;
      println(`  site ${site.name.padEnd(10)}${site.held ? 'hub running' : 'no hub    '}  ${site.ups} UPS, ${last}`);
    }
  }
  for (const check of report.checks) println(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name.padEnd(11)} ${check.detail}`);
}

export async function infoCommand(options: GlobalOptions & JsonOption): Promise<void> {
  const settings = cliSettings(options);
  const info = await withStore(options, { migrate: false }, (store) => storeInfo(store, settings.retention));
  if (options.json) return printJson(info);
  println(`${info.dbPath}: ${formatBytes(info.fileSizeBytes)}, schema ${info.schemaVersion ?? '(empty)'}, data key v${info.dataKeyVersion}, key from ${info.keySource}`);
  println('rows:');
  for (const [table, rows] of Object.entries(info.rows)) println(`  ${table.padEnd(15)} ${rows}`);
  const r = info.retention;
  println(`retention: samples kept ${r.samplesWindowHours} h (${r.samplesDueForPruning} due for pruning), oldest ${r.oldestSample ?? '-'}, newest ${r.newestSample ?? '-'}`);
  println(`           hourly rollups kept ${r.rollupsKeptDays} days (${r.rollupsDueForPruning} due), oldest ${r.oldestRollup ?? '-'}, newest ${r.newestRollup ?? '-'}`);
  println(`           pruned every ${r.pruneIntervalSeconds} s in batches of ${r.batchSize}`);
}

export async function resetCommand(options: GlobalOptions & JsonOption & { yes?: boolean }): Promise<void> {
  const settings = cliSettings(options);
  refuseOnPostgres(settings, 'reset', 'it would delete every site\'s rows; drop and recreate the database instead');
  if (!options.yes) throw new UsageError(`reset deletes every row in ${settings.dbPath}; run it again with --yes to confirm`);
  // Prove the key first: resetting a store we cannot open would also discard its key's meaning.
  await withStore(options, { migrate: false }, () => Promise.resolve());
  const lock = acquireStoreLock(settings.dbPath, 'walnut-db reset');
  try {
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${settings.dbPath}${suffix}`, { force: true });
  } finally {
    lock.release();
  }
  await withStore(options, { migrate: true, lockAs: 'walnut-db reset' }, async (store) => {
    await ensureSite(store.knex, settings.site);
    const schema = await schemaStatus(store.knex);
    if (options.json) return printJson({ dbPath: store.dbPath, reset: true, schemaVersion: schema.version });
    println(`reset ${store.dbPath}: every row removed; empty schema at ${schema.version ?? '(empty)'}; same master key`);
  });
}

export function testEncryptionCommand(options: JsonOption): void {
  const result = runEncryptionSelfTest();
  if (!result.ok) process.exitCode = 1;
  if (options.json) return printJson(result);
  println(`${result.ok ? 'encryption works' : 'ENCRYPTION TEST FAILED'}: ${result.cipher}`);
  for (const step of result.steps) println(`  ${step.ok ? 'ok  ' : 'FAIL'} ${step.name.padEnd(12)} ${step.detail}`);
}

export async function migrateCommand(action: string, options: GlobalOptions & JsonOption): Promise<void> {
  if (!['latest', 'rollback', 'status'].includes(action)) throw new UsageError(`unknown migrate action "${action}": use latest, rollback or status`);
  const lockAs = action === 'status' ? undefined : `walnut-db migrate ${action}`;
  await withStore(options, { migrate: false, ...(lockAs === undefined ? {} : { lockAs }) }, async (store) => {
    let changed: string[] = [];
    if (action === 'latest') changed = ((await store.knex.migrate.latest(migrationConfig())) as [number, string[]])[1];
    if (action === 'rollback') changed = ((await store.knex.migrate.rollback(migrationConfig())) as [number, string[]])[1];
    const status = await schemaStatus(store.knex);
    if (options.json) return printJson({ action, changed, ...status });
    if (action !== 'status') println(changed.length === 0 ? 'nothing to do' : `${action === 'latest' ? 'applied' : 'rolled back'}: ${changed.join(', ')}`);
    println(`schema at ${status.version ?? '(empty)'}; ${status.applied.length} applied, ${status.pending.length} pending${status.pending.length ? `: ${status.pending.join(', ')}` : ''}`);
  });
}

export async function rekeyCommand(options: GlobalOptions & JsonOption & { newKeyFile?: string }): Promise<void> {
  if (options.newKeyFile === undefined) throw new UsageError('rekey needs --new-key-file FILE (the new master key, 32+ characters)');
  const settings = cliSettings(options);
  const newKey = readNewKey(options.newKeyFile);
  if (settings.databaseUrl !== undefined) return rekeyFleet(options, settings, newKey, options.newKeyFile);
  if (!fs.existsSync(settings.dbPath)) throw new UsageError(`no database at ${settings.dbPath}`);
  const oldKey = resolveMasterKey({ env: process.env, dbPath: settings.dbPath, production: settings.production });
  const result = rekeyDatabase(settings.dbPath, oldKey, newKey);
  if (options.json) return printJson(result);
  println(`rekeyed ${result.dbPath}: the file key changed and data key v${result.dataKeyVersions.join(', v')} was re-wrapped`);
  if (result.keyFileUpdated) println(`the generated key file ${settings.dbPath}.key now holds the new key`);
  else println(`the old key from ${result.oldKeySource} no longer opens it: set WALNUT_DB_KEY_FILE=${options.newKeyFile} (or the new key in WALNUT_DB_KEY) before the next start`);
}

/** On PostgreSQL only the data key is wrapped by the master key: every hub stopped, it is re-wrapped in one transaction. */
async function rekeyFleet(options: GlobalOptions & JsonOption, settings: ReturnType<typeof cliSettings>, newKey: MasterKey, newKeyFile: string): Promise<void> {
  const oldKey = resolveMasterKey({ env: process.env, dbPath: settings.dbPath, production: settings.production });
  await withStore(options, { migrate: false }, async (store) => {
    const dataKeyVersions = await rekeyFleetDatabase(store.knex, oldKey, newKey, osActor());
    const keyFileUpdated = oldKey.source.startsWith('the generated key file');
    if (keyFileUpdated) writeFileAtomically(generatedKeyPath(settings.dbPath), `${newKey.key}\n`, 0o600);
    const result = { database: store.dbPath, oldKeySource: oldKey.source, newKeySource: newKey.source, keyFileUpdated, dataKeyVersions };
    if (options.json) return printJson(result);
    println(`rekeyed ${store.dbPath}: data key v${dataKeyVersions.join(', v')} re-wrapped under the new master key`);
    println(keyFileUpdated
      ? `the generated key file ${generatedKeyPath(settings.dbPath)} now holds the new key; give every other hub of the fleet the new key before it starts`
      : `every hub of the fleet needs the new key before it starts: set WALNUT_DB_KEY_FILE=${newKeyFile} (or the new key in WALNUT_DB_KEY)`);
  });
}

/** `walnut-db copy --to postgres://…`: the SQLite store into an empty PostgreSQL database, verified table by table. */
export async function copyCommand(options: GlobalOptions & JsonOption & { to?: string }): Promise<void> {
  if (options.to === undefined || !/^postgres(ql)?:\/\//.test(options.to)) {
    throw new UsageError('copy needs --to postgres://USER@HOST:PORT/DATABASE (leave the password out of the URL: PGPASSWORD or ~/.pgpass supply it)');
  }
  // The source is always the SQLite file, whatever DATABASE_URL says.
  const settings = cliSettings(options);
  delete settings.databaseUrl;
  const source = await Store.open({ settings, migrate: false, lockAs: 'walnut-db copy' });
  try {
    const pending = (await schemaStatus(source.knex)).pending;
    if (pending.length > 0) throw new UsageError(`${source.dbPath} has ${pending.length} pending migration(s): run "walnut-db migrate latest" first`);
    const target = await Store.open({ settings: { ...settings, databaseUrl: options.to }, migrate: true });
    let result;
    try {
      result = await copyStore(source, target, (table, rows) => {
        if (!options.json) println(`  copied ${table.padEnd(15)} ${rows} rows`);
      });
    } finally {
      await target.close();
    }
    // A fresh open: the copied data key, not the one the empty target made, must open every secret.
    const reopened = await Store.open({ settings: { ...settings, databaseUrl: options.to }, migrate: false });
    const secrets = await reopened.secrets().countReadable().finally(() => reopened.close());
    const verified = result.verified && secrets.readable === secrets.total;
    if (!verified) process.exitCode = 1;
    if (options.json) return printJson({ ...result, secrets, verified });
    for (const table of result.tables) println(`  ${table.verified ? 'ok  ' : 'DIFF'} ${table.table.padEnd(15)} ${String(table.rows).padStart(9)} rows  sha256 ${table.sha256.slice(0, 16)}`);
    println(`  ${secrets.readable === secrets.total ? 'ok  ' : 'FAIL'} secrets         ${secrets.readable} of ${secrets.total} open with the copied data key`);
    println(verified ? `copied ${result.from} into ${result.to}: every table verified` : `copy into ${result.to} did NOT verify`);
  } finally {
    await source.close();
  }
}
