/**
 * `walnut-db rekey` on a fleet database. PostgreSQL is not file-encrypted:
 * the master key only wraps the data key, so rotating it re-wraps the
 * data_keys rows in one transaction. Every hub of the fleet must be stopped
 * (a running hub keeps the old master key in memory and would write archive
 * headers under it): the rekey takes every site's lock and refuses if one is
 * held, and holds the migrations lock so a hub starting meanwhile waits, then
 * finds the new wrapping and says its key does not unwrap it.
 */
import type { Knex } from 'knex';
import { RekeyError, StoreBusyError, UsageError } from '../../errors';
import { recordAudit } from '../audit';
import { unwrapDataKey, wrapDataKey, type WrappedDataKey } from '../data-key';
import type { MasterKey } from '../master-key';
import { type AdvisoryLock, tryAdvisoryLock, withAdvisoryLock } from './advisory-lock';
import { siteLockName } from './site-lock';

async function holdEverySite(knex: Knex): Promise<AdvisoryLock[]> {
  const sites = (await knex('sites').orderBy('name').pluck('name')) as string[];
  const held: AdvisoryLock[] = [];
  const busy: string[] = [];
  for (const site of sites) {
    const lock = await tryAdvisoryLock(knex, siteLockName(site));
    if (lock) held.push(lock);
    else busy.push(site);
  }
  if (busy.length > 0) {
    await Promise.all(held.map((lock) => lock.release()));
    throw new StoreBusyError(`a hub is running for site ${busy.map((site) => `"${site}"`).join(', ')}: stop every hub of the fleet before rotating the master key, then start each with the new key`);
  }
  return held;
}

/** Re-wraps every data key version under `newKey`, proven before commit; returns the versions. */
export async function rekeyFleetDatabase(knex: Knex, oldKey: MasterKey, newKey: MasterKey, actor: string): Promise<number[]> {
  if (newKey.key === oldKey.key) throw new UsageError('the new key is the same as the current one');
  return withAdvisoryLock(knex, 'migrations', async () => {
    const sites = await holdEverySite(knex);
    try {
      return await knex.transaction(async (trx) => {
        const rows = (await trx('data_keys').orderBy('version').forUpdate().select('version', 'kdf', 'salt', 'wrapped')) as WrappedDataKey[];
        if (rows.length === 0) throw new RekeyError('this database has no data key yet: start a hub (or run walnut-db init) first');
        for (const row of rows) {
          const dataKey = unwrapDataKey(row, oldKey.key);
          const rewrapped = wrapDataKey(dataKey, newKey.key, row.version);
          if (!unwrapDataKey(rewrapped, newKey.key).equals(dataKey)) throw new RekeyError(`data key v${row.version} did not re-wrap: nothing changed`);
          await trx('data_keys').where({ version: row.version }).update({ ...rewrapped, updated_at: Date.now() });
        }
        const versions = rows.map((row) => row.version);
        await recordAudit(trx, {
          siteId: null, actor, action: 'store.rekeyed', resource: 'store/master-key',
          before: { keySource: oldKey.source }, after: { keySource: newKey.source, dataKeyVersions: versions },
        });
        return versions;
      });
    } finally {
      await Promise.all(sites.map((lock) => lock.release()));
    }
  });
}
