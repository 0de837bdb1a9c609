/** `walnut mqtt credentials`: how Home Assistant logs in to the embedded broker. */
import { ensureBrokerAccounts, HOME_ASSISTANT_USER, HUB_USER } from '../mqtt/credentials';
import { UsageError } from '../errors';
import { Store } from '../store/store';
import { cliSettings, type GlobalOptions, printJson, println } from './common';

export async function mqttCredentialsCommand(options: GlobalOptions & { json?: boolean; account?: string }): Promise<void> {
  const account = options.account ?? HOME_ASSISTANT_USER;
  if (account !== HOME_ASSISTANT_USER && account !== HUB_USER) throw new UsageError(`--account is ${HOME_ASSISTANT_USER} or ${HUB_USER}`);
  const settings = cliSettings(options);
  if (settings.mqtt.url !== undefined) {
    const message = 'MQTT_URL is set: the hub uses that broker and starts none; Home Assistant logs in with that broker\'s own accounts';
    if (options.json) return printJson({ external: true, message });
    return println(message);
  }
  const store = await Store.open({ settings });
  let password: string;
  try {
    // The hub makes the accounts on its first start; asking first makes them now (the hub then uses these).
    password = (await ensureBrokerAccounts(store.secrets())).users.get(account)!;
  } finally {
    await store.close();
  }
  const { host, port, tls, wsPort } = settings.mqtt;
  const credentials = {
    broker: host, port, username: account, password,
    ...(tls ? { tlsPort: tls.port } : {}), ...(wsPort === undefined ? {} : { wsPort }),
    discoveryPrefix: settings.mqtt.discoveryPrefix,
  };
  if (options.json) return printJson(credentials);
  println(`broker:    ${host}${host === '127.0.0.1' || host === '::1' ? ' (loopback only: set WALNUT_MQTT_HOST=0.0.0.0 for Home Assistant on another host)' : ''}`);
  println(`port:      ${port}${tls ? ` (TLS: ${tls.port})` : ''}${wsPort === undefined ? '' : ` (WebSocket: ${wsPort})`}`);
  println(`username:  ${account}`);
  println(`password:  ${password}`);
  println();
  if (account === HUB_USER) return println('The hub\'s own account may publish anywhere: use it only in flows (an mqtt-broker node), never in Home Assistant.');
  println('In Home Assistant: Settings > Devices & services > Add integration > MQTT, enter the broker, port, username and password above;');
  println(`keep discovery on with the prefix "${settings.mqtt.discoveryPrefix}". walNUT's UPSes, policies and targets then appear as devices.`);
}
