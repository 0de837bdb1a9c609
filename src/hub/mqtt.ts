/** The hub's MQTT side: the embedded broker with its accounts, or the external broker's login. */
import type { MqttSettings } from '../../settings';
import type { Logger } from '../logger';
import { type EmbeddedBroker, startEmbeddedBroker } from '../mqtt/broker';
import type { HubConnectionOptions } from '../mqtt/connection';
import { brokerSecretName, ensureBrokerAccounts, HOME_ASSISTANT_USER, HUB_USER } from '../mqtt/credentials';
import { RetainedStore } from '../mqtt/retained-store';
import type { Topics } from '../mqtt/topics';
import type { Store } from '../store/store';

export const EXTERNAL_BROKER_SECRET = 'mqtt/external';

export async function startBroker(
  settings: MqttSettings,
  store: Store,
  topics: Topics,
  siteId: number,
  logger: Logger,
  onCommand: (topic: string, payload: Buffer, actor: string) => void,
): Promise<EmbeddedBroker> {
  const accounts = await ensureBrokerAccounts(store.secrets());
  const broker = await startEmbeddedBroker({
    host: settings.host, port: settings.port,
    ...(settings.tls ? { tls: settings.tls } : {}),
    ...(settings.wsPort === undefined ? {} : { ws: { port: settings.wsPort } }),
    users: accounts.users, topics, retained: new RetainedStore(store.knex, siteId, logger), onCommand,
  }, logger);
  if (accounts.created.includes(HOME_ASSISTANT_USER)) {
    // The password itself never goes to a log: the CLI shows it to whoever holds the store's key.
    logger.info({ host: broker.host, port: broker.port, username: HOME_ASSISTANT_USER },
      'created the MQTT account for Home Assistant: add the MQTT integration with this broker, port and username; ' +
      '`walnut mqtt credentials` shows the password');
  }
  return broker;
}

/** How the hub's own client logs in: to the embedded broker as walnut-hub, or to MQTT_URL. */
export async function connectionTo(settings: MqttSettings, store: Store, broker: EmbeddedBroker | undefined): Promise<Omit<HubConnectionOptions, 'clientId' | 'statusTopic'>> {
  const secrets = store.secrets();
  if (broker) {
    const host = broker.host === '0.0.0.0' || broker.host === '::' ? '127.0.0.1' : broker.host;
    return { url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${broker.port}`, username: HUB_USER, password: await secrets.get(brokerSecretName(HUB_USER)) };
  }
  const url = settings.url!;
  const password = (await secrets.has(EXTERNAL_BROKER_SECRET)) ? await secrets.get(EXTERNAL_BROKER_SECRET) : undefined;
  return {
    url,
    ...(settings.username === undefined ? {} : { username: settings.username }),
    ...(password === undefined ? {} : { password }),
  };
}
