/**
 * The one interface every exporter implements: a name, the formats it writes
 * (the first is the default), a config checked with ajv against its schema,
 * and an export that streams to `out` and says how many items it wrote. The
 * runner (export-runner.ts) adds the byte count and sha256 and records it.
 */
import type { Writable } from 'node:stream';
import type { JSONSchemaType } from 'ajv';
import type { Knex } from 'knex';
import type { RuleSet } from '../policy/rule-set';

export interface ExportContext {
  knex: Knex;
  siteId: number;
  siteName: string;
  /** The rules as they load now from the rules folder (targets live in YAML). */
  rules: RuleSet;
  /** MQTT base topic and discovery prefix, for exporters that speak MQTT. */
  mqtt: { baseTopic: string; discoveryPrefix: string };
  version: string;
}

export interface Exporter<Config = Record<string, unknown>> {
  name: string;
  description: string;
  formats: readonly string[];
  configSchema: JSONSchemaType<Config>;
  /** Writes the export in `format` to `out` (never a secret value); resolves with the number of items written. */
  export(context: ExportContext, config: Config, format: string, out: Writable): Promise<{ count: number }>;
}

export interface ExportResult {
  exporter: string;
  format: string;
  count: number;
  size: number;
  sha256: string;
  /** The file written, when not standard output. */
  path?: string;
}
