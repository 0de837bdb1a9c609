/** GET /events: the event log, newest first, filtered by severity, type, UPS and time. */
import type { Router } from 'express';
import { redactSecrets } from '../../store/audit';
import { asyncRoute } from '../async-route';
import type { ApiContext } from '../context';
import { decodeCursor, pageOf } from '../pagination';
import { checkQuery } from '../query';
import { eventsQuery, type EventsQuery } from '../query-schemas';

type Row = Record<string, unknown>;

/** A JSON column as data (secret-named fields redacted, as in audit rows); text that is not JSON as it is. */
export function jsonColumn(text: unknown): unknown {
  if (typeof text !== 'string') return null;
  try {
    return redactSecrets(JSON.parse(text));
  } catch {
    return text;
  }
}

function eventItem(row: Row): Record<string, unknown> {
  return {
    id: Number(row.id), ts: Number(row.ts), severity: row.severity, type: row.type, source: row.source,
    upsId: row.ups_id == null ? null : Number(row.ups_id), message: row.message, data: jsonColumn(row.data),
  };
}

export function eventRoutes(router: Router, context: ApiContext): void {
  router.get('/events', asyncRoute(async (request, response) => {
    const query = checkQuery<EventsQuery>(eventsQuery, request.query);
    let rows = context.knex('events').where({ site_id: context.siteId }).orderBy([{ column: 'ts', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(query.limit + 1);
    if (query.severity !== undefined) rows = rows.where({ severity: query.severity });
    if (query.type !== undefined) rows = rows.where({ type: query.type });
    if (query.ups !== undefined) rows = rows.where({ ups_id: query.ups });
    if (query.from !== undefined) rows = rows.where('ts', '>=', Date.parse(query.from));
    if (query.to !== undefined) rows = rows.where('ts', '<=', Date.parse(query.to));
    if (query.cursor !== undefined) {
      const [ts, id] = decodeCursor(query.cursor, 2) as [number, number];
      rows = rows.whereRaw('(ts < ? or (ts = ? and id < ?))', [ts, ts, id]);
    }
    response.json(pageOf((await rows) as Row[], query.limit, (row) => [Number(row.ts), Number(row.id)], eventItem));
  }));
}
