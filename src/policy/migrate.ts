/**
 * apiVersion migrations, applied step by step before the schema check (the
 * way zigbee2mqtt migrates its settings). walnut/v1alpha1 was the preview
 * format: durations as bare seconds, `triggers` as a plain list meaning
 * "any", and `dryRun` in camelCase.
 */
import type { RulesProblem } from '../errors';
import { formatDuration } from './duration';
import { problemAt } from './problems';
import { API_VERSION } from './spec';
import type { SourceDocument } from './yaml-source';

type Json = Record<string, unknown>;

interface Migration {
  from: string;
  to: string;
  migrate(document: Json): void;
}

const MIGRATIONS: Migration[] = [{ from: 'walnut/v1alpha1', to: 'walnut/v1', migrate: migrateV1alpha1 }];

export const READABLE_VERSIONS = [API_VERSION, ...MIGRATIONS.map((migration) => migration.from)];

export interface MigratedDocument {
  value: unknown;
  /** The version the file was written in, when it had to be migrated. */
  migratedFrom?: string;
  problems: RulesProblem[];
}

/** Brings a document to the current apiVersion; an unknown version is an error at its `apiVersion`. */
export function migrateDocument(source: SourceDocument): MigratedDocument {
  const value = source.value;
  if (!isObject(value) || typeof value.apiVersion !== 'string' || value.apiVersion === API_VERSION) {
    return { value, problems: [] }; // the schema reports a missing or mistyped apiVersion
  }
  const from = value.apiVersion;
  if (!MIGRATIONS.some((migration) => migration.from === from)) {
    const message = `apiVersion is not one this build reads (it reads ${READABLE_VERSIONS.join(', ')})`;
    return { value, problems: [problemAt(source.valueAt('/apiVersion'), 'schema.apiVersion', message)] };
  }
  const copy = structuredClone(value);
  for (const migration of MIGRATIONS) {
    if (copy.apiVersion !== migration.from) continue;
    migration.migrate(copy);
    copy.apiVersion = migration.to;
  }
  const warning = problemAt(
    source.valueAt('/apiVersion'),
    'migrated',
    `${from} is read through a migration; rewrite this document as ${API_VERSION} (see rules/README.md)`,
    'warning',
  );
  return { value: copy, migratedFrom: from, problems: [warning] };
}

function migrateV1alpha1(document: Json): void {
  if (document.kind !== 'Policy') return;
  if (Array.isArray(document.triggers)) document.triggers = { any: document.triggers };
  if ('dryRun' in document) {
    document.dry_run = document.dryRun;
    delete document.dryRun;
  }
  secondsToDuration(document, 'reserve');
  for (const trigger of asList(isObject(document.triggers) ? document.triggers.any : undefined)) {
    for (const key of ['runtime_below', 'time_on_battery_above']) secondsToDuration(trigger, key);
    for (const key of ['on_battery', 'comm_lost']) if (isObject(trigger[key])) secondsToDuration(trigger[key], 'for');
  }
  for (const stage of asList(document.stages)) for (const key of ['after', 'timeout']) secondsToDuration(stage, key);
  if (isObject(document.cancel_when) && isObject(document.cancel_when.online)) {
    secondsToDuration(document.cancel_when.online, 'for');
  }
}

function secondsToDuration(object: Json, key: string): void {
  const seconds = object[key];
  if (typeof seconds === 'number' && Number.isInteger(seconds) && seconds >= 0) object[key] = formatDuration(seconds * 1000);
}

function asList(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
