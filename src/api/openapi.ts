/**
 * The OpenAPI 3.1 description of /api/v1, served at GET /api/v1/openapi.json.
 * Query parameters come from the same schemas the routes check them with;
 * a test holds the routes and this document to each other, both ways.
 */
import { MAX_PAGE_LIMIT } from './pagination';
import type { JsonSchema } from './json-schema';
import { archivesQuery, eventsQuery, jobsQuery, noQuery, samplesQuery, simulateQuery } from './query-schemas';
import { RESPONSE_SCHEMAS } from './response-schemas';

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: JsonSchema;
  description?: string;
}

export interface Response {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  content?: { 'application/json': { schema: JsonSchema } };
}

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  /** `[]`: no key needed. */
  security?: Array<Record<string, string[]>>;
  parameters: Parameter[];
  responses: Record<string, Response>;
}

export type HttpMethod = 'get' | 'post';
export type PathItem = Partial<Record<HttpMethod, Operation>>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  security: Array<Record<string, string[]>>;
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, { type: 'http'; scheme: 'bearer'; description: string }>;
  };
}

const json = (schema: string, description: string): Response => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } });
const problem = (description: string): Response => json('Error', description);

const AUTH_FAILURES: Record<string, Response> = {
  401: problem('no API key, or an unknown or revoked one'),
  429: {
    ...problem('too many failed authentications from this address'),
    headers: { 'Retry-After': { description: 'seconds until this address may try again', schema: { type: 'integer' } } },
  },
};

function queryParameters(schema: JsonSchema): Parameter[] {
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name, in: 'query', required: false, schema: property, ...(property.description === undefined ? {} : { description: property.description }),
  }));
}

const pathParameter = (name: string, schema: JsonSchema, description: string): Parameter => ({ name, in: 'path', required: true, schema, description });
const UPS_ID = pathParameter('id', { type: 'string', pattern: '^\\d+$' }, 'UPS id (see GET /ups)');
const UPS_SERVER = pathParameter('server', { type: 'string' }, 'upsd server as host:port');
const UPS_NAME = pathParameter('name', { type: 'string' }, 'UPS name on that server');
const POLICY_NAME = pathParameter('name', { type: 'string' }, 'policy name');

interface OperationSpec {
  id: string;
  summary: string;
  description?: string;
  query?: JsonSchema;
  path?: Parameter[];
  response: string;
  public?: boolean;
  notFound?: boolean;
}

function operation(spec: OperationSpec): Operation {
  return {
    operationId: spec.id, summary: spec.summary, ...(spec.description === undefined ? {} : { description: spec.description }),
    ...(spec.public ? { security: [] } : {}),
    parameters: [...(spec.path ?? []), ...queryParameters(spec.query ?? noQuery)],
    responses: {
      200: json(spec.response, 'success'),
      400: problem('a parameter does not fit: the message says which and why'),
      ...(spec.notFound ? { 404: problem('no such UPS or policy') } : {}),
      ...(spec.public ? {} : AUTH_FAILURES),
    },
  };
}

const samplesDescription = 'Readings from `from` to `to`, oldest first. Ranges longer than 48 h, or reaching back past the samples retention, are answered from the hourly rollups (`source: "rollups"`, min/avg/max per hour).';
const simulate = (path: Parameter[]): Operation => operation({
  id: 'simulatePolicy', summary: 'start or stop a dry-run outage simulation of a policy (no device is called)', path, query: simulateQuery, response: 'Policy', notFound: true,
});

/** Open, and 503 (with the same body) when the store does not answer. */
function health(): Operation {
  const base = operation({ id: 'getHealth', summary: 'whether the hub works: version, site, store, NUT servers answering, uptime (no key needed)', response: 'Health', public: true });
  return { ...base, responses: { ...base.responses, 503: json('Health', 'the store does not answer') } };
}

export function openApiDocument(version: string): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: {
      title: 'walNUT hub API', version,
      description: `UPSes, events, policies, jobs, targets and archives of one walNUT hub. Send an API key (walnut apikeys create NAME) as "Authorization: Bearer <key>". Lists are paginated by cursor (limit at most ${MAX_PAGE_LIMIT}). Errors are {"error": {"code", "message"}}.`,
    },
    servers: [{ url: '/api/v1' }],
    security: [{ apiKey: [] }],
    paths: {
      '/health': { get: health() },
      '/openapi.json': { get: { operationId: 'getOpenApi', summary: 'this document', security: [], parameters: [], responses: { 200: { description: 'the OpenAPI document', content: { 'application/json': { schema: { type: 'object' } } } } } } },
      '/ups': { get: operation({ id: 'listUps', summary: 'every UPS the hub records, with its newest reading', response: 'UpsList' }) },
      '/ups/{id}': { get: operation({ id: 'getUpsById', summary: 'one UPS by id', path: [UPS_ID], response: 'Ups', notFound: true }) },
      '/ups/{server}/{name}': { get: operation({ id: 'getUpsByName', summary: 'one UPS by server and name', path: [UPS_SERVER, UPS_NAME], response: 'Ups', notFound: true }) },
      '/ups/{id}/samples': { get: operation({ id: 'getSamplesById', summary: "a UPS's readings over time", description: samplesDescription, path: [UPS_ID], query: samplesQuery, response: 'Samples', notFound: true }) },
      '/ups/{server}/{name}/samples': { get: operation({ id: 'getSamplesByName', summary: "a UPS's readings over time", description: samplesDescription, path: [UPS_SERVER, UPS_NAME], query: samplesQuery, response: 'Samples', notFound: true }) },
      '/events': { get: operation({ id: 'listEvents', summary: 'the event log, newest first', query: eventsQuery, response: 'EventPage' }) },
      '/policies': { get: operation({ id: 'listPolicies', summary: 'every loaded policy and its state', response: 'PolicyList' }) },
      '/policies/{name}': { get: operation({ id: 'getPolicy', summary: "one policy's state, countdown and runtime margin", path: [POLICY_NAME], response: 'Policy', notFound: true }) },
      '/policies/{name}/arm': { post: operation({ id: 'armPolicy', summary: 'arm a policy (an override of its YAML, audited)', path: [POLICY_NAME], response: 'Policy', notFound: true }) },
      '/policies/{name}/disarm': { post: operation({ id: 'disarmPolicy', summary: 'disarm a policy (an override of its YAML, audited)', path: [POLICY_NAME], response: 'Policy', notFound: true }) },
      '/policies/{name}/simulate': { post: simulate([POLICY_NAME]) },
      '/jobs': { get: operation({ id: 'listJobs', summary: 'actions sent to targets, newest first', query: jobsQuery, response: 'JobPage' }) },
      '/targets': { get: operation({ id: 'listTargets', summary: 'targets of the loaded rules (secret names only, never values)', response: 'TargetList' }) },
      '/archives': { get: operation({ id: 'listArchives', summary: 'backups written by this hub, newest first', query: archivesQuery, response: 'ArchivePage' }) },
    },
    components: {
      schemas: RESPONSE_SCHEMAS,
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'an API key from walnut apikeys create NAME' } },
    },
  };
}
