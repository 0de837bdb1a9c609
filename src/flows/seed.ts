/**
 * The default flow a new hub starts with (flows/default.json, format 1), its
 * placeholders filled in: the NUT server it watches, the policy it runs, and
 * the broker its notifications go to, whose login is added as encrypted
 * Node-RED credentials (never written into the flow itself).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../errors';
import type { FlowNode } from './flow-store';
import type { Seed } from './flow-storage';
import { encryptNodeRedCredentials } from './node-red-credentials';

export const DEFAULT_FLOW_FORMAT = 1;

export interface SeedOptions {
  file: string;
  nut: { host: string; port: number; username?: string; password?: string };
  policy: string;
  mqtt: { host: string; port: number; username?: string; password?: string };
  credentialSecret: string;
}

export function defaultFlowFile(packageRoot: string): string {
  return path.join(packageRoot, 'flows', 'default.json');
}

export function seedDefaultFlow(options: SeedOptions): Seed {
  const document = JSON.parse(fs.readFileSync(options.file, 'utf8')) as { format?: number; flows?: FlowNode[] };
  if (document.format !== DEFAULT_FLOW_FORMAT || !Array.isArray(document.flows)) {
    throw new UsageError(`${options.file} is flow format ${String(document.format)}; this walNUT seeds format ${DEFAULT_FLOW_FORMAT}`);
  }
  const values: Record<string, string | number> = {
    '@NUT_HOST@': options.nut.host, '@NUT_PORT@': options.nut.port, '@POLICY@': options.policy,
    '@MQTT_HOST@': options.mqtt.host, '@MQTT_PORT@': String(options.mqtt.port),
  };
  const flows = document.flows.map((node) => Object.fromEntries(Object.entries(node).map(([key, value]) => [key, typeof value === 'string' && value in values ? values[value] : value])) as FlowNode);
  const credentials: Record<string, Record<string, string>> = {};
  for (const node of flows) {
    if (node.type === 'nut-server' && options.nut.username !== undefined) credentials[node.id] = { username: options.nut.username, password: options.nut.password ?? '' };
    if (node.type === 'mqtt-broker' && options.mqtt.username !== undefined) credentials[node.id] = { user: options.mqtt.username, password: options.mqtt.password ?? '' };
  }
  return {
    flows,
    credentials: Object.keys(credentials).length === 0 ? null : encryptNodeRedCredentials(options.credentialSecret, credentials),
    message: `default flow (format ${DEFAULT_FLOW_FORMAT})`,
  };
}
