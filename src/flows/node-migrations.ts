/**
 * Node config versions. Every walNUT node's config carries `version`; when a
 * node's properties change, a step is added here and configs are migrated one
 * version at a time: by the storage module when flows are loaded (so the
 * editor shows them migrated and the next deploy stores them so) and by each
 * node when it starts (flows imported into the editor). Steps are pure.
 */
import { UsageError } from '../errors';

export type NodeConfig = Record<string, unknown> & { type: string; version?: unknown };
type Step = (config: NodeConfig) => NodeConfig;

/** v0 (configs from before versions existed) → v1: the properties added since get their defaults. */
const withDefaults = (defaults: Record<string, unknown>): Step => (config) => ({ ...defaults, ...config });
const DRIVER_V1 = withDefaults({ name: '', target: '' });

/** Per node type, step i migrates version i to i + 1; the current version is the number of steps. */
export const NODE_MIGRATIONS: Readonly<Record<string, readonly Step[]>> = {
  'nut-server': [withDefaults({ name: '', host: '127.0.0.1', port: 3493, pollInterval: 1000, retryDelay: 1000, retries: 0, noComm: 300, tls: false, tlsVerify: true })],
  'nut-ups': [withDefaults({ name: '', ups: '', output: 'change' })],
  policy: [withDefaults({ name: '', policy: '' })],
  archive: [withDefaults({ name: '', schedule: '', backupType: 'full' })],
  'shutdown-ssh': [DRIVER_V1],
  'shutdown-proxmox': [DRIVER_V1],
  'switch-tapo': [DRIVER_V1],
  'switch-shelly': [DRIVER_V1],
  'ups-power': [DRIVER_V1],
  'wake-on-lan': [DRIVER_V1],
};

export function currentVersion(type: string): number | undefined {
  return NODE_MIGRATIONS[type]?.length;
}

/** The config at its type's current version; other node types pass unchanged. */
export function migrateNodeConfig<T extends NodeConfig>(config: T): T {
  const steps = NODE_MIGRATIONS[config.type];
  if (!steps) return config;
  const id = typeof config.id === 'string' ? config.id : '?';
  const from = config.version === undefined ? 0 : Number(config.version);
  if (!Number.isInteger(from) || from < 0) throw new UsageError(`node ${id} (${config.type}) has version ${String(config.version)}, which is not a version`);
  if (from > steps.length) {
    throw new UsageError(`node ${id} (${config.type}) is version ${from}, made by a newer walNUT (this one knows up to ${steps.length}): upgrade the hub`);
  }
  let migrated: NodeConfig = config;
  for (let version = from; version < steps.length; version += 1) migrated = { ...steps[version]!(migrated), version: version + 1 };
  return migrated as T;
}

export function migrateFlows<T extends NodeConfig>(flows: readonly T[]): T[] {
  return flows.map((node) => migrateNodeConfig(node));
}
