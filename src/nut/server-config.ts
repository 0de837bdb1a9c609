import { NutConfigError } from '../errors';
import { DEFAULT_RECONNECT, type ReconnectPolicy } from './backoff';
import type { NutTlsOptions } from './client';

/** One upsd server the hub watches, from WALNUT_NUT_SERVERS or a nut-server node. */
export interface NutServerConfig {
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** STARTTLS before anything else when set. */
  tls?: NutTlsOptions;
  pollIntervalMs: number;
  timeoutMs: number;
  /** Watch only these UPSes; all that LIST UPS returns when absent. */
  ups?: string[];
  reconnect: ReconnectPolicy;
  /** NOCOMM after this long without data (upsmon's NOCOMMWARNTIME, 300 s). */
  noCommAfterMs: number;
  /** Login sessions send a request this often: upsd drops clients idle for 60 s. */
  keepaliveMs: number;
}

export const MIN_POLL_INTERVAL_MS = 200;
/** Polls are the polling connection's keepalive: never further apart than upsd's 60 s idle limit allows. */
export const MAX_POLL_INTERVAL_MS = 30_000;

export const serverAddress = (config: Pick<NutServerConfig, 'host' | 'port'>): string =>
  `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;

export function nutServerConfig(partial: Partial<NutServerConfig> & Pick<NutServerConfig, 'host'>): NutServerConfig {
  const config: NutServerConfig = {
    port: 3493,
    pollIntervalMs: 1000,
    timeoutMs: 5000,
    reconnect: DEFAULT_RECONNECT,
    noCommAfterMs: 300_000,
    keepaliveMs: 30_000,
    ...partial,
  };
  const where = serverAddress(config);
  if (config.pollIntervalMs < MIN_POLL_INTERVAL_MS || config.pollIntervalMs > MAX_POLL_INTERVAL_MS) {
    throw new NutConfigError(`poll interval for ${where} must be between ${MIN_POLL_INTERVAL_MS} and ${MAX_POLL_INTERVAL_MS} ms, got ${config.pollIntervalMs}`);
  }
  if (config.port < 1 || config.port > 65535) throw new NutConfigError(`port for ${config.host} must be 1-65535, got ${config.port}`);
  if ((config.username === undefined) !== (config.password === undefined)) {
    throw new NutConfigError(`${where}: give both a username and a password, or neither`);
  }
  return config;
}
