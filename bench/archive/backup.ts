/**
 * Backups at scale: an encrypted store with 1,000,000 samples and 100,000
 * events; `walnut backup` create, verify and restore (into a fresh store, one
 * transaction) beside `VACUUM INTO` of the same encrypted store, in one run.
 * Targets: create ≤ 10 s, restore ≤ 20 s.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createBackup, keySourceFor } from '../../src/archive/backups';
import { ArchiveReader } from '../../src/archive/reader';
import { restoreArchive } from '../../src/archive/restore';
import { withRawConnection } from '../../src/store/raw-connection';
import { ensureSite } from '../../src/store/sites';
import { Store } from '../../src/store/store';
import { verdict } from '../lib/stats';

const SAMPLES = 1_000_000;
const EVENTS = 100_000;
const UPS_COUNT = 10;
const KEY = 'bench-archive-master-key-0123456789abcdef';

async function openStore(dbPath: string): Promise<Store> {
  return Store.open({ settings: { dbPath, production: false, allowNetworkFs: false }, env: { WALNUT_DB_KEY: KEY } });
}

async function seed(store: Store): Promise<void> {
  const site = await ensureSite(store.knex, 'bench');
  const now = Date.now();
  await store.secrets().set('bench-secret', 'not in the archive in clear');
  await withRawConnection(store.knex, (db) => {
    const ups = db.prepare('INSERT INTO ups (site_id, name, server, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
    const sample = db.prepare('INSERT INTO ups_samples (ups_id, ts, status, battery_charge, battery_runtime, battery_voltage, input_voltage, output_voltage, ups_load, ups_realpower) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const event = db.prepare('INSERT INTO events (site_id, ts, severity, type, source, ups_id, message, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    db.transaction(() => {
      const ids: number[] = [];
      for (let index = 0; index < UPS_COUNT; index += 1) ids.push(Number(ups.run(site.id, `ups${index}`, `nut${index}.lan:3493`, now, now).lastInsertRowid));
      for (let index = 0; index < SAMPLES; index += 1) {
        sample.run(ids[index % UPS_COUNT], now - (SAMPLES - index) * 1000, index % 500 === 0 ? 'OB DISCHRG' : 'OL', 100 - (index % 7), 1800 - (index % 300), 27.1, 230.4, 230.1, 23.5, 210);
      }
      for (let index = 0; index < EVENTS; index += 1) {
        event.run(site.id, now - index * 10, index % 10 === 0 ? 'warning' : 'info', 'ups.event', 'nut', ids[index % UPS_COUNT], `event ${index}`, JSON.stringify({ n: index }), now, now);
      }
    })();
  });
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walnut-bench-archive-'));
  const source = await openStore(path.join(dir, 'source.db'));
  const target = await openStore(path.join(dir, 'target.db'));
  try {
    await seed(source);
    const vacuumPath = path.join(dir, 'vacuum.db');
    const vacuum = await timed(() => withRawConnection(source.knex, (db) => db.prepare('VACUUM INTO ?').run(vacuumPath)));
    const create = await timed(() => createBackup(source, { backupsDir: path.join(dir, 'backups'), hubVersion: 'bench', site: 'bench', type: 'full' }));
    const verify = await timed(async () => (await ArchiveReader.open(create.value.path, keySourceFor(source))).verify());
    const siteId = (await ensureSite(target.knex, 'bench')).id;
    const restore = await timed(async () => restoreArchive(target, await ArchiveReader.open(create.value.path, keySourceFor(source)), { mode: 'replace', dryRun: false, actor: 'bench', siteId }));
    const restored = Number(((await target.knex('ups_samples').count({ n: '*' }).first()) as { n: number }).n);
    if (restored !== SAMPLES) throw new Error(`restored ${restored} samples, expected ${SAMPLES}`);

    const dbSize = fs.statSync(path.join(dir, 'source.db')).size;
    console.log(`archive: ${SAMPLES.toLocaleString('en')} samples + ${EVENTS.toLocaleString('en')} events (encrypted store ${(dbSize / 1048576).toFixed(1)} MiB, archive ${(create.value.size / 1048576).toFixed(1)} MiB)`);
    console.log(`VACUUM INTO (baseline)  ${seconds(vacuum.ms)}`);
    console.log(`backup create           ${seconds(create.ms)}  ratio ${(create.ms / vacuum.ms).toFixed(2)}  target ≤ 10 s: ${verdict(create.ms <= 10_000)}`);
    console.log(`backup verify           ${seconds(verify.ms)}  ratio ${(verify.ms / vacuum.ms).toFixed(2)}`);
    console.log(`backup restore          ${seconds(restore.ms)}  ratio ${(restore.ms / vacuum.ms).toFixed(2)}  target ≤ 20 s: ${verdict(restore.ms <= 20_000)}`);
  } finally {
    await source.close();
    await target.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
