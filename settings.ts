/**
 * walNUT settings: typed defaults, each overridable by one environment variable.
 * README's configuration table lists the same variables; keep both in step.
 * A bad value stops the hub at start with an error naming the variable.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SettingsError } from './src/errors';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface NutServerSetting {
  host: string;
  port: number;
  username?: string;
  /** Name of the secret holding the password (`walnut secrets set NAME`); `nut/<user>` unless given. */
  passwordSecret?: string;
}

export interface MqttSettings {
  /** The embedded broker's listener (unused with `url`). */
  host: string;
  port: number;
  /** An external broker: the hub starts none. */
  url?: string;
  /** The external broker's username; its password is the secret `mqtt/external` (or in the URL). */
  username?: string;
  /** The embedded broker's optional TLS and WebSocket listeners. */
  tls?: { port: number; certFile: string; keyFile: string };
  wsPort?: number;
  baseTopic: string;
  discoveryPrefix: string;
}

export interface WalnutSettings {
  production: boolean;
  dataDir: string;
  dbPath: string;
  /** PostgreSQL URL; when set, the store uses it instead of the SQLite file. */
  databaseUrl?: string;
  dbPoolSize: number;
  allowNetworkFs: boolean;
  http: { host: string; port: number };
  mqtt: MqttSettings;
  rulesDir: string;
  nutServers: NutServerSetting[];
  /** Polling, comm-loss and reconnection for the servers in WALNUT_NUT_SERVERS (nut-server nodes carry their own). */
  nut: { pollIntervalMs: number; noCommAfterSeconds: number; retryDelayMs: number; maxRetries: number };
  site: string;
  logLevel: LogLevel;
  /** The built-in simulated UPS (watched when WALNUT_NUT_SERVERS is empty): its port stays the same across restarts, as the default flow names it. */
  demo: { nutPort: number; devices: boolean };
  /** Where backups go and how many are kept. */
  backup: { dir: string; keep: number };
  retention: {
    samplesHours: number;
    rollupDays: number;
    intervalSeconds: number;
    batchSize: number;
  };
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Every variable read here, with its meaning; README's table mirrors it. */
export const ENVIRONMENT_VARIABLES = [
  'NODE_ENV',
  'WALNUT_DATA_DIR',
  'WALNUT_DB_PATH',
  'WALNUT_DB_KEY',
  'WALNUT_DB_KEY_FILE',
  'WALNUT_DB_KEY_DEV',
  'WALNUT_ALLOW_NETWORK_FS',
  'DATABASE_URL',
  'WALNUT_DB_POOL_SIZE',
  'WALNUT_HTTP_HOST',
  'WALNUT_HTTP_PORT',
  'WALNUT_MQTT_HOST',
  'WALNUT_MQTT_PORT',
  'MQTT_URL',
  'WALNUT_MQTT_USERNAME',
  'WALNUT_MQTT_TLS_PORT',
  'WALNUT_MQTT_TLS_CERT',
  'WALNUT_MQTT_TLS_KEY',
  'WALNUT_MQTT_WS_PORT',
  'WALNUT_MQTT_BASE_TOPIC',
  'WALNUT_MQTT_DISCOVERY_PREFIX',
  'WALNUT_RULES_DIR',
  'WALNUT_DEMO_NUT_PORT',
  'WALNUT_DEMO_DEVICES',
  'WALNUT_BACKUP_DIR',
  'WALNUT_BACKUP_KEEP',
  'WALNUT_NUT_SERVERS',
  'WALNUT_NUT_POLL_MS',
  'WALNUT_NUT_NOCOMM_S',
  'WALNUT_NUT_RETRY_DELAY_MS',
  'WALNUT_NUT_MAX_RETRIES',
  'WALNUT_SITE',
  'WALNUT_LOG_LEVEL',
  'WALNUT_RETENTION_HOURS',
  'WALNUT_ROLLUP_RETENTION_DAYS',
  'WALNUT_RETENTION_INTERVAL_S',
  'WALNUT_RETENTION_BATCH',
] as const;

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new SettingsError(name, `expected a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new SettingsError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function port(env: Env, name: string, fallback: number): number {
  return integer(env, name, fallback, 0, 65535);
}

function flag(env: Env, name: string): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return false;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new SettingsError(name, `expected true or false, got "${raw}"`);
}

function url(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // The URL may hold a password: never echo it.
    throw new SettingsError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new SettingsError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}, got ${parsed.protocol}//`);
  }
  return raw;
}

/**
 * `[user[:secretRef]@]host[:port]`, comma-separated; IPv6 hosts in brackets. A
 * password never appears here: it is read from the secret store under
 * `secretRef` (default `nut/<user>`).
 */
export function parseNutServers(raw: string | undefined, variable = 'WALNUT_NUT_SERVERS'): NutServerSetting[] {
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((entry) => {
    const item = entry.trim();
    const match = /^(?:([^@:\s]+)(?::([^@\s]+))?@)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+)(?::(\d+))?$/.exec(item);
    if (!match) throw new SettingsError(variable, `"${item.replace(/:[^@]*@/, ':…@')}" is not [user[:secretRef]@]host[:port]`);
    const [, username, secretRef, host = '', portText] = match;
    const portNumber = portText === undefined ? 3493 : Number(portText);
    if (portNumber < 1 || portNumber > 65535) throw new SettingsError(variable, `port ${portNumber} in "${item}" is out of range`);
    const server: NutServerSetting = { host: host.replace(/^\[|\]$/g, ''), port: portNumber };
    if (username !== undefined) {
      server.username = username;
      server.passwordSecret = secretRef ?? `nut/${username}`;
    }
    return server;
  });
}

function logLevel(env: Env): LogLevel {
  const raw = text(env, 'WALNUT_LOG_LEVEL')?.toLowerCase() ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new SettingsError('WALNUT_LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  }
  return raw as LogLevel;
}

function site(env: Env): string {
  const raw = text(env, 'WALNUT_SITE') ?? 'default';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(raw)) {
    throw new SettingsError('WALNUT_SITE', `"${raw}" must be 1-64 letters, digits, '.', '_' or '-'`);
  }
  return raw;
}

/** A topic prefix: levels of letters, digits, '_' and '-' (no wildcards, no empty level). */
function topicPrefix(env: Env, name: string, fallback: string): string {
  const raw = text(env, name) ?? fallback;
  if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(raw)) throw new SettingsError(name, `"${raw}" must be topic levels of letters, digits, '_' or '-', separated by '/'`);
  return raw;
}

function mqttSettings(env: Env, cwd: string): MqttSettings {
  const mqtt: MqttSettings = {
    host: text(env, 'WALNUT_MQTT_HOST') ?? '127.0.0.1',
    port: port(env, 'WALNUT_MQTT_PORT', 1883),
    baseTopic: topicPrefix(env, 'WALNUT_MQTT_BASE_TOPIC', 'walnut'),
    discoveryPrefix: topicPrefix(env, 'WALNUT_MQTT_DISCOVERY_PREFIX', 'homeassistant'),
  };
  const external = url(env, 'MQTT_URL', ['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'ssl:']);
  if (external !== undefined) mqtt.url = external;
  const username = text(env, 'WALNUT_MQTT_USERNAME');
  if (username !== undefined) mqtt.username = username;
  const tlsFiles = [text(env, 'WALNUT_MQTT_TLS_PORT'), text(env, 'WALNUT_MQTT_TLS_CERT'), text(env, 'WALNUT_MQTT_TLS_KEY')];
  if (tlsFiles.some((value) => value !== undefined)) {
    if (tlsFiles.some((value) => value === undefined)) {
      throw new SettingsError('WALNUT_MQTT_TLS_PORT', 'the TLS listener needs all of WALNUT_MQTT_TLS_PORT, WALNUT_MQTT_TLS_CERT and WALNUT_MQTT_TLS_KEY');
    }
    mqtt.tls = { port: port(env, 'WALNUT_MQTT_TLS_PORT', 8883), certFile: path.resolve(cwd, tlsFiles[1]!), keyFile: path.resolve(cwd, tlsFiles[2]!) };
  }
  if (text(env, 'WALNUT_MQTT_WS_PORT') !== undefined) mqtt.wsPort = port(env, 'WALNUT_MQTT_WS_PORT', 8083);
  return mqtt;
}

/** Reads the settings from `env` (process.env by default), relative paths resolved against `cwd`. */
export function loadSettings(env: Env = process.env, cwd: string = process.cwd()): WalnutSettings {
  const dataDir = path.resolve(cwd, text(env, 'WALNUT_DATA_DIR') ?? './data');
  const dbPathRaw = text(env, 'WALNUT_DB_PATH');
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const settings: WalnutSettings = {
    production: text(env, 'NODE_ENV') === 'production',
    dataDir,
    dbPath: dbPathRaw === undefined ? path.join(dataDir, 'walnut.db') : path.resolve(cwd, dbPathRaw),
    dbPoolSize: integer(env, 'WALNUT_DB_POOL_SIZE', 10, 1, 1000),
    allowNetworkFs: flag(env, 'WALNUT_ALLOW_NETWORK_FS'),
    http: { host: text(env, 'WALNUT_HTTP_HOST') ?? '127.0.0.1', port: port(env, 'WALNUT_HTTP_PORT', 1880) },
    mqtt: mqttSettings(env, cwd),
    rulesDir: path.resolve(cwd, text(env, 'WALNUT_RULES_DIR') ?? './rules'),
    nutServers: parseNutServers(text(env, 'WALNUT_NUT_SERVERS')),
    nut: {
      pollIntervalMs: integer(env, 'WALNUT_NUT_POLL_MS', 1000, 200, 30_000),
      noCommAfterSeconds: integer(env, 'WALNUT_NUT_NOCOMM_S', 300, 1, 86_400),
      retryDelayMs: integer(env, 'WALNUT_NUT_RETRY_DELAY_MS', 1000, 10, 600_000),
      // 0 means: never give up (a monitor that stops retrying is a monitor that is off).
      maxRetries: integer(env, 'WALNUT_NUT_MAX_RETRIES', 0, 0, 1_000_000),
    },
    site: site(env),
    logLevel: logLevel(env),
    demo: { nutPort: port(env, 'WALNUT_DEMO_NUT_PORT', 18400), devices: text(env, 'WALNUT_DEMO_DEVICES') === undefined ? true : flag(env, 'WALNUT_DEMO_DEVICES') },
    backup: {
      dir: path.resolve(cwd, text(env, 'WALNUT_BACKUP_DIR') ?? path.join(dataDir, 'backups')),
      keep: integer(env, 'WALNUT_BACKUP_KEEP', 7, 1, 10_000),
    },
    retention: {
      samplesHours: integer(env, 'WALNUT_RETENTION_HOURS', 24, 1, 24 * 366),
      rollupDays: integer(env, 'WALNUT_ROLLUP_RETENTION_DAYS', 400, 1, 36500),
      intervalSeconds: integer(env, 'WALNUT_RETENTION_INTERVAL_S', 300, 1, 86400),
      batchSize: integer(env, 'WALNUT_RETENTION_BATCH', 5000, 1, 1_000_000),
    },
  };
  if (databaseUrl !== undefined) settings.databaseUrl = databaseUrl;
  return settings;
}

/** The package root: its package.json "node-red" key lists our nodes, so Node-RED loads them as one module. */
export const PACKAGE_ROOT = path.resolve(__dirname, __dirname.endsWith(`${path.sep}dist`) ? '..' : '.');

/** package.json's version: what the hub reports to Home Assistant and in `walnut --version`. */
export const WALNUT_VERSION = (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const NODE_RED_LOG_LEVEL: Record<LogLevel, string> = {
  trace: 'trace', debug: 'debug', info: 'info', warn: 'warn', error: 'error', fatal: 'fatal', silent: 'off',
};

/**
 * Settings handed to the embedded Node-RED. Everything that would reach out of
 * loopback is off (telemetry, palette installs, projects); the credential secret
 * is derived from the data key, never stored; `walnut` carries the hub's
 * services to our nodes.
 */
export function nodeRedSettings(settings: WalnutSettings, runtime: { credentialSecret: string; services: unknown; storageModule?: unknown; adminAuth?: unknown }): Record<string, unknown> {
  return {
    ...(runtime.storageModule === undefined ? {} : { storageModule: runtime.storageModule }),
    ...(runtime.adminAuth === undefined ? {} : { adminAuth: runtime.adminAuth }),
    userDir: path.join(settings.dataDir, 'node-red'),
    flowFile: 'flows.json',
    credentialSecret: runtime.credentialSecret,
    httpAdminRoot: '/',
    httpNodeRoot: '/',
    nodesDir: [PACKAGE_ROOT],
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false, allowUpload: false }, modules: { allowInstall: false } },
    editorTheme: { projects: { enabled: false }, tours: false },
    logging: { console: { level: NODE_RED_LOG_LEVEL[settings.logLevel], metrics: false, audit: false } },
    functionExternalModules: false,
    walnut: runtime.services,
  };
}
