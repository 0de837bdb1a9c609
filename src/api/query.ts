/** Query parameters checked against their JSON Schema (ajv, allErrors, strings coerced); a misfit is a 400 that says what to send. */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ApiRequestError } from '../errors';
import type { JsonSchema } from './json-schema';

const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false });
addFormats(ajv);
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function describe(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return `unknown query parameter "${extra}"`;
  }
  const name = error.instancePath.replace(/^\//, '') || 'query';
  const allowed = error.keyword === 'enum' ? ` (${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : '';
  return `query parameter ${name}: ${error.message ?? 'is invalid'}${allowed}`;
}

/** A copy of the query with defaults filled in and numbers parsed, typed as the schema says. */
export function checkQuery<T>(schema: JsonSchema, query: unknown): T {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  const copy: unknown = { ...(query as object) };
  if (!validate(copy)) throw new ApiRequestError((validate.errors ?? []).map(describe).join('; '));
  return copy as T;
}

/** from/to as epoch ms, `to` defaulting to now and `from` to `defaultSpanMs` before it; from after to is a 400. */
export function timeRange(query: { from?: string; to?: string }, now: number, defaultSpanMs: number): { from: number; to: number } {
  const to = query.to === undefined ? now : Date.parse(query.to);
  const from = query.from === undefined ? to - defaultSpanMs : Date.parse(query.from);
  if (from > to) throw new ApiRequestError('query parameters from/to: from must not be after to');
  return { from, to };
}
