/** Every exporter, by name: what `walnut export` and the archive node offer. */
import type { SchemaObject } from 'ajv';
import type { Exporter } from '../exporter';
import { ansibleExporter } from './ansible';
import { csvExporter } from './csv';
import { homeAssistantExporter } from './homeassistant';
import { hostsExporter } from './hosts';
import { jsonExporter } from './json-lines';
import { prometheusExporter } from './prometheus';
import { upsmonExporter } from './upsmon';

/** An exporter whatever its config: the runner checks the config against its schema before calling it. */
export type AnyExporter = Omit<Exporter<never>, 'configSchema'> & { configSchema: SchemaObject };

export const EXPORTERS: readonly AnyExporter[] = [
  homeAssistantExporter, hostsExporter, ansibleExporter, prometheusExporter, upsmonExporter, csvExporter, jsonExporter,
];

export function findExporter(name: string): AnyExporter | undefined {
  return EXPORTERS.find((exporter) => exporter.name === name);
}
