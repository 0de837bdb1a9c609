/** An applied import leaves one audit row (who changed which rules file) and one event (for the timeline). */
import type { Knex } from 'knex';
import { recordAudit } from '../../store/audit';
import { Event } from '../../store/models';
import type { ImportCounts, ImportFormat } from './types';

export interface ImportHistory {
  siteId: number;
  actor: string;
  format: ImportFormat;
  source: string;
  /** The rules file written, by its name in the folder. */
  file: string;
  counts: ImportCounts;
}

export async function recordImport(knex: Knex, entry: ImportHistory): Promise<void> {
  await knex.transaction(async (trx) => {
    await recordAudit(trx, {
      siteId: entry.siteId, actor: entry.actor, action: 'import.applied', resource: `rules/${entry.file}`,
      after: { source: entry.source, format: entry.format, ...entry.counts },
    });
    const { added, overwritten, renamed, skipped } = entry.counts;
    await Event.query(trx).insert({
      site_id: entry.siteId, ts: Date.now(), severity: 'info', type: 'import.applied', source: `import:${entry.format}`,
      message: `imported ${entry.source} into rules/${entry.file}: ${added} added, ${overwritten} overwritten, ${renamed} renamed, ${skipped} skipped`,
      data: JSON.stringify({ file: `rules/${entry.file}`, source: entry.source, ...entry.counts }),
    });
  });
}
