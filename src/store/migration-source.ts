import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Knex } from 'knex';

/** migrations/ beside src/ in the source tree, and dist/migrations beside dist/src once built. */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');

/**
 * Migrations named without their extension, so a store migrated from `.ts`
 * (tests under tsx) is recognised by the compiled `.js` build and vice versa.
 */
export class WalnutMigrationSource implements Knex.MigrationSource<string> {
  constructor(private readonly dir: string = MIGRATIONS_DIR) {}

  getMigrations(): Promise<string[]> {
    const names = fs
      .readdirSync(this.dir)
      .filter((file) => /\.(ts|js)$/.test(file) && !file.endsWith('.d.ts'))
      .map((file) => file.replace(/\.(ts|js)$/, ''));
    return Promise.resolve([...new Set(names)].sort());
  }

  getMigrationName(migration: string): string {
    return migration;
  }

  getMigration(migration: string): Promise<Knex.Migration> {
    return Promise.resolve(require(path.join(this.dir, migration)) as Knex.Migration);
  }
}
