import { NutClient } from './client';
import type { NutServerConfig } from './server-config';

/**
 * Connects to a configured server, upgrades to TLS when the config says so,
 * and runs `prepare` (list UPSes, log in…); on any failure the half-made
 * connection is closed before the error goes up.
 */
export async function connectConfigured(config: NutServerConfig, prepare: (client: NutClient) => Promise<void>): Promise<NutClient> {
  const client = await NutClient.connect({ host: config.host, port: config.port, timeoutMs: config.timeoutMs });
  try {
    if (config.tls) await client.startTls(config.tls);
    await prepare(client);
    return client;
  } catch (error) {
    client.close();
    throw error;
  }
}
