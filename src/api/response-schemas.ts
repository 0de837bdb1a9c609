/** The shapes of the API's answers, as OpenAPI 3.1 schema objects (the e2e test validates real answers against them). */
import { JOB_STATES, SEVERITIES } from './query-schemas';
import type { JsonSchema } from './json-schema';
import { POLICY_STATES } from '../policy/policy-report';

const nullable = (type: 'string' | 'integer' | 'number'): JsonSchema => ({ type: [type, 'null'] });
const object = (properties: Record<string, JsonSchema>, optional: readonly string[] = []): JsonSchema => ({
  type: 'object', properties, required: Object.keys(properties).filter((key) => !optional.includes(key)), additionalProperties: false,
});
const epochMs: JsonSchema = { type: 'integer', description: 'epoch milliseconds' };
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const page = (item: string): JsonSchema => object({ items: { type: 'array', items: ref(item) }, nextCursor: nullable('string') });
const minAvgMax: JsonSchema = object({ min: nullable('number'), avg: nullable('number'), max: nullable('number') });
const METRICS = ['batteryCharge', 'batteryRuntime', 'batteryVoltage', 'inputVoltage', 'outputVoltage', 'load'] as const;

export const RESPONSE_SCHEMAS: Record<string, JsonSchema> = {
  Error: object({ error: object({ code: { type: 'string' }, message: { type: 'string' } }) }),
  Health: object({
    status: { type: 'string', enum: ['ok', 'degraded'] }, version: { type: 'string' }, site: { type: 'string' }, uptimeS: { type: 'integer', minimum: 0 },
    store: object({ ok: { type: 'boolean' } }), nut: object({ servers: { type: 'integer' }, connected: { type: 'integer' } }),
  }),
  Snapshot: {
    type: 'object', required: ['server', 'ups', 'ts', 'comm', 'status', 'flags', 'vars'],
    properties: {
      server: { type: 'string' }, ups: { type: 'string' }, ts: epochMs,
      comm: { type: 'string', enum: ['ok', 'data-stale', 'driver-not-connected', 'connection-lost'] },
      status: { type: 'string' }, flags: { type: 'array', items: { type: 'string' } },
      vars: { type: 'object', additionalProperties: { type: 'string' } },
      ...Object.fromEntries([...METRICS, 'realpower'].map((metric) => [metric, { type: 'number' }])), alarm: { type: 'string' },
    },
    additionalProperties: false,
  },
  Ups: object({
    id: { type: 'integer' }, server: { type: 'string' }, name: { type: 'string' }, description: nullable('string'),
    manufacturer: nullable('string'), model: nullable('string'), serial: nullable('string'), latest: { oneOf: [ref('Snapshot'), { type: 'null' }] },
  }),
  UpsList: object({ items: { type: 'array', items: ref('Ups') } }),
  Sample: object({ ts: epochMs, status: nullable('string'), ...Object.fromEntries([...METRICS, 'realpower'].map((metric) => [metric, nullable('number')])) }),
  Rollup: object({ ts: { ...epochMs, description: 'start of the hour, epoch milliseconds' }, samples: { type: 'integer' }, ...Object.fromEntries(METRICS.map((metric) => [metric, minAvgMax])) }),
  Samples: {
    type: 'object', required: ['ups', 'source', 'from', 'to', 'items', 'nextCursor'], additionalProperties: false,
    description: 'source "samples": raw readings; "rollups": hourly min/avg/max (ranges over 48 h or past the samples retention)',
    properties: {
      ups: object({ id: { type: 'integer' }, server: { type: 'string' }, name: { type: 'string' } }),
      source: { type: 'string', enum: ['samples', 'rollups'] }, from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' },
      items: { type: 'array', items: { oneOf: [ref('Sample'), ref('Rollup')] } }, nextCursor: nullable('string'),
    },
  },
  Event: object({
    id: { type: 'integer' }, ts: epochMs, severity: { type: 'string', enum: SEVERITIES }, type: { type: 'string' }, source: { type: 'string' },
    upsId: nullable('integer'), message: { type: 'string' }, data: { description: 'event details (secret-named fields redacted)' },
  }),
  EventPage: page('Event'),
  Policy: object({
    name: { type: 'string' }, file: { type: 'string' }, state: { type: 'string', enum: POLICY_STATES }, runId: { type: 'string' }, stage: { type: 'string' },
    nextStageInS: { type: 'integer' }, marginS: { type: 'integer' }, armed: { type: 'boolean' }, dryRun: { type: 'boolean' }, simulating: { type: 'boolean' },
  }, ['runId', 'stage', 'nextStageInS', 'marginS']),
  PolicyList: object({ items: { type: 'array', items: ref('Policy') } }),
  Job: object({
    id: { type: 'integer' }, policy: nullable('string'), runId: nullable('string'), stage: nullable('string'), target: { type: 'string' }, op: { type: 'string' },
    status: { type: 'string', enum: JOB_STATES }, dryRun: { type: 'boolean' }, attempts: { type: 'integer' }, result: { description: 'what the device answered' },
    error: nullable('string'), queuedAt: epochMs, sentAt: nullable('integer'), acknowledgedAt: nullable('integer'), finishedAt: nullable('integer'),
  }),
  JobPage: page('Job'),
  Target: object({
    name: { type: 'string' }, type: { type: 'string', enum: ['ssh', 'proxmox', 'tapo', 'shelly', 'wol', 'ups'] }, description: nullable('string'),
    address: { type: 'string' }, watts: nullable('number'), dependsOn: { type: 'array', items: { type: 'string' } }, self: { type: 'boolean' },
    secretRef: { ...nullable('string'), description: 'the name of the secret the target uses; never its value' }, file: { type: 'string' },
  }),
  TargetList: object({ items: { type: 'array', items: ref('Target') } }),
  Archive: object({
    id: { type: 'integer' }, path: { type: 'string' }, type: { type: 'string', enum: ['full', 'incremental'] }, baseArchiveId: nullable('integer'),
    sha256: { type: 'string' }, sizeBytes: { type: 'integer' }, schemaVersion: { type: 'string' }, createdAt: epochMs,
  }),
  ArchivePage: page('Archive'),
};
