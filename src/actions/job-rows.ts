/**
 * Writes of the `jobs` rows (and each job's closing event) — the runner's hot
 * path. On SQLite they are prepared statements on the pool's connection, as
 * the sample writer does, and the writes of concurrent jobs that arrive in the
 * same turn of the event loop share one transaction (group commit): each
 * caller still resumes only once its own write is committed. On PostgreSQL
 * plain knex.
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import type { Knex } from 'knex';
import { isPostgres, withRawConnection } from '../store/raw-connection';

type Row = Record<string, string | number | boolean | null>;

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

function prepared(db: Database.Database, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map<string, Database.Statement>()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = db.prepare(sql)));
  return statement;
}

const sqlite = (value: string | number | boolean | null): string | number | null => (typeof value === 'boolean' ? (value ? 1 : 0) : value);

function insertSql(table: string, row: Row): { sql: string; values: Array<string | number | null> } {
  const columns = Object.keys(row);
  return { sql: `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, values: Object.values(row).map(sqlite) };
}

function updateSql(id: number, patch: Row): { sql: string; values: Array<string | number | null> } {
  const columns = Object.keys(patch);
  return { sql: `UPDATE jobs SET ${columns.map((column) => `${column} = ?`).join(', ')} WHERE id = ?`, values: [...Object.values(patch).map(sqlite), id] };
}

interface Pending {
  write: (db: Database.Database) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class JobRows {
  private readonly postgres: boolean;
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(private readonly knex: Knex) {
    this.postgres = isPostgres(knex);
  }

  private commit<T>(write: (db: Database.Database) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0);
    this.scheduled = false;
    try {
      const results = await withRawConnection(this.knex, (db) => db.transaction(() => batch.map((pending) => pending.write(db)))());
      batch.forEach((pending, index) => pending.resolve(results[index]));
    } catch {
      // One bad write must not fail the others: each on its own, so only its caller hears of it.
      for (const pending of batch) {
        await withRawConnection(this.knex, (db) => db.transaction(() => pending.write(db))()).then(pending.resolve, pending.reject);
      }
    }
  }

  async insert(row: Row): Promise<number> {
    if (this.postgres) {
      const [inserted] = (await this.knex('jobs').insert(row, ['id'])) as Array<{ id: number }>;
      return inserted!.id;
    }
    const { sql, values } = insertSql('jobs', row);
    return this.commit((db) => Number(prepared(db, sql).run(...values).lastInsertRowid));
  }

  async update(id: number, patch: Row): Promise<void> {
    if (this.postgres) {
      await this.knex('jobs').where({ id }).update(patch);
      return;
    }
    const { sql, values } = updateSql(id, patch);
    await this.commit((db) => prepared(db, sql).run(...values));
  }

  /** The job's last state, its event and (for an action sent to a device) its audit row, together or not at all. */
  async finish(id: number, patch: Row, event: Row, audit?: Row): Promise<void> {
    if (this.postgres) {
      await this.knex.transaction(async (trx) => {
        await trx('jobs').where({ id }).update(patch);
        await trx('events').insert(event);
        if (audit) await trx('audit_logs').insert(audit);
      });
      return;
    }
    const update = updateSql(id, patch);
    const inserts = [insertSql('events', event), ...(audit ? [insertSql('audit_logs', audit)] : [])];
    await this.commit((db) => {
      prepared(db, update.sql).run(...update.values);
      for (const insert of inserts) prepared(db, insert.sql).run(...insert.values);
    });
  }
}
