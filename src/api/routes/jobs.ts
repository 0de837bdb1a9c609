/** GET /jobs: the actions policies and `walnut targets run` sent, newest first. */
import type { Router } from 'express';
import { asyncRoute } from '../async-route';
import type { ApiContext } from '../context';
import { decodeCursor, pageOf } from '../pagination';
import { checkQuery } from '../query';
import { jobsQuery, type JobsQuery } from '../query-schemas';
import { jsonColumn } from './events';

type Row = Record<string, unknown>;
const time = (value: unknown): number | null => (value == null ? null : Number(value));

function jobItem(row: Row): Record<string, unknown> {
  return {
    id: Number(row.id), policy: row.policy_name ?? null, runId: row.run_id ?? null, stage: row.stage ?? null,
    target: row.target, op: row.op, status: row.state, dryRun: Boolean(row.dry_run), attempts: Number(row.attempts),
    result: jsonColumn(row.result), error: row.error ?? null,
    queuedAt: Number(row.queued_at), sentAt: time(row.sent_at), acknowledgedAt: time(row.acknowledged_at), finishedAt: time(row.finished_at),
  };
}

export function jobRoutes(router: Router, context: ApiContext): void {
  router.get('/jobs', asyncRoute(async (request, response) => {
    const query = checkQuery<JobsQuery>(jobsQuery, request.query);
    let rows = context.knex('jobs').leftJoin('policies', 'policies.id', 'jobs.policy_id')
      .where('jobs.site_id', context.siteId).select('jobs.*', 'policies.name as policy_name')
      .orderBy('jobs.id', 'desc').limit(query.limit + 1);
    if (query.policy !== undefined) rows = rows.where('policies.name', query.policy);
    if (query.status !== undefined) rows = rows.where('jobs.state', query.status);
    if (query.cursor !== undefined) rows = rows.where('jobs.id', '<', decodeCursor(query.cursor, 1)[0] ?? 0);
    response.json(pageOf((await rows) as Row[], query.limit, (row) => [Number(row.id)], jobItem));
  }));
}
