import type { Knex } from 'knex';
import { migrationConfig } from './store';

export interface SchemaStatus {
  /** The last applied migration, or null on an empty database. */
  version: string | null;
  applied: string[];
  pending: string[];
}

interface MigrationListEntry {
  name?: string;
  file?: string;
}

const nameOf = (entry: string | MigrationListEntry): string => (typeof entry === 'string' ? entry : (entry.name ?? entry.file ?? ''));

export async function schemaStatus(knex: Knex): Promise<SchemaStatus> {
  const [completed, pending] = (await knex.migrate.list(migrationConfig())) as [Array<string | MigrationListEntry>, Array<string | MigrationListEntry>];
  const applied = completed.map(nameOf);
  return { version: applied.at(-1) ?? null, applied, pending: pending.map(nameOf) };
}
