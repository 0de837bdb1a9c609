/**
 * Prometheus file_sd targets: the hub (when its metrics address is given) and
 * a node_exporter on every SSH and Proxmox host, labelled with the target, its
 * type and the site so alerts can name what the hub would shut down.
 */
import type { JSONSchemaType } from 'ajv';
import type { Exporter } from '../exporter';
import { hostPort, sortedTargets, targetHost } from './addresses';
import { writeText } from './write';

export interface PrometheusConfig {
  /** `host:port` where Prometheus scrapes the hub itself. */
  hub?: string;
  nodeExporterPort?: number;
}

export const prometheusConfigSchema: JSONSchemaType<PrometheusConfig> = {
  type: 'object',
  properties: {
    hub: { type: 'string', nullable: true, pattern: '^[A-Za-z0-9_.:\\[\\]-]+:[0-9]{1,5}$' },
    nodeExporterPort: { type: 'integer', nullable: true, minimum: 1, maximum: 65535 },
  },
  required: [],
  additionalProperties: false,
};

interface StaticConfig {
  targets: string[];
  labels: Record<string, string>;
}

export const prometheusExporter: Exporter<PrometheusConfig> = {
  name: 'prometheus',
  description: 'Prometheus file_sd targets: the hub and a node_exporter on each SSH and Proxmox host',
  formats: ['json'],
  configSchema: prometheusConfigSchema,
  async export(context, config, _format, out) {
    const site = context.siteName;
    const entries: StaticConfig[] = [];
    if (config.hub !== undefined) entries.push({ targets: [config.hub], labels: { walnut_type: 'hub', walnut_site: site } });
    const port = config.nodeExporterPort ?? 9100;
    for (const { name, target } of sortedTargets(context.rules.targets.values())) {
      if (target.type !== 'ssh' && target.type !== 'proxmox') continue;
      const host = targetHost(target);
      if (host === undefined) continue;
      entries.push({ targets: [hostPort(host, port)], labels: { walnut_target: name, walnut_type: target.type, walnut_site: site } });
    }
    await writeText(out, `${JSON.stringify(entries, null, 2)}\n`);
    return { count: entries.length };
  },
};
