/** GET /archives: the backups this hub's site wrote (the archives table), newest first. */
import type { Router } from 'express';
import { asyncRoute } from '../async-route';
import type { ApiContext } from '../context';
import { decodeCursor, pageOf } from '../pagination';
import { checkQuery } from '../query';
import { archivesQuery, type PageQuery } from '../query-schemas';

type Row = Record<string, unknown>;

function archiveItem(row: Row): Record<string, unknown> {
  return {
    id: Number(row.id), path: row.path, type: row.type, baseArchiveId: row.base_archive_id == null ? null : Number(row.base_archive_id),
    sha256: row.sha256, sizeBytes: Number(row.size_bytes), schemaVersion: row.schema_version, createdAt: Number(row.created_at),
  };
}

export function archiveRoutes(router: Router, context: ApiContext): void {
  router.get('/archives', asyncRoute(async (request, response) => {
    const query = checkQuery<PageQuery>(archivesQuery, request.query);
    let rows = context.knex('archives').where({ site_id: context.siteId }).orderBy('id', 'desc').limit(query.limit + 1);
    if (query.cursor !== undefined) rows = rows.where('id', '<', decodeCursor(query.cursor, 1)[0] ?? 0);
    response.json(pageOf((await rows) as Row[], query.limit, (row) => [Number(row.id)], archiveItem));
  }));
}
