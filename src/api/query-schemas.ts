/** The query parameters of each route: checked at run time (query.ts) and listed in the OpenAPI document from the same objects. */
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from './pagination';
import type { JsonSchema } from './json-schema';

export const SEVERITIES = ['debug', 'info', 'warning', 'error', 'critical'] as const;
export const JOB_STATES = ['queued', 'sent', 'acknowledged', 'completed', 'failed', 'cancelled'] as const;

const limit: JsonSchema = { type: 'integer', minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT, description: `page size, at most ${MAX_PAGE_LIMIT}` };
const cursor: JsonSchema = { type: 'string', maxLength: 256, description: 'nextCursor of the previous page' };
const from: JsonSchema = { type: 'string', format: 'date-time', description: 'ISO 8601 start of the range (inclusive)' };
const to: JsonSchema = { type: 'string', format: 'date-time', description: 'ISO 8601 end of the range (inclusive); default now' };

const query = (properties: Record<string, JsonSchema>): JsonSchema => ({ type: 'object', properties, additionalProperties: false });

export interface PageQuery {
  limit: number;
  cursor?: string;
}

export const noQuery = query({});

export const samplesQuery = query({ from: { ...from, description: 'ISO 8601 start (inclusive); default one hour before to' }, to, limit, cursor });
export interface SamplesQuery extends PageQuery {
  from?: string;
  to?: string;
}

export const eventsQuery = query({
  severity: { type: 'string', enum: SEVERITIES },
  type: { type: 'string', maxLength: 64, description: 'event type, e.g. ups.status' },
  ups: { type: 'integer', minimum: 1, description: 'UPS id (see GET /ups)' },
  from, to: { ...to, description: 'ISO 8601 end of the range (inclusive)' }, limit, cursor,
});
export interface EventsQuery extends PageQuery {
  severity?: (typeof SEVERITIES)[number];
  type?: string;
  ups?: number;
  from?: string;
  to?: string;
}

export const jobsQuery = query({
  policy: { type: 'string', maxLength: 128, description: 'policy name' },
  status: { type: 'string', enum: JOB_STATES },
  limit, cursor,
});
export interface JobsQuery extends PageQuery {
  policy?: string;
  status?: (typeof JOB_STATES)[number];
}

export const archivesQuery = query({ limit, cursor });

export const simulateQuery = query({
  action: { type: 'string', enum: ['start', 'stop', 'toggle'], default: 'toggle', description: 'toggle does what the Home Assistant button does' },
});
export interface SimulateQuery {
  action: 'start' | 'stop' | 'toggle';
}
