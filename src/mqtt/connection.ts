/**
 * The hub's own MQTT connection (to the embedded broker or an external one):
 * its last will marks the hub offline, it reconnects by itself, and a refused
 * login becomes an error the user can act on.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { MqttAuthError, MqttConnectionError, type MqttError } from '../errors';

export interface HubConnectionOptions {
  url: string;
  username?: string;
  password?: string;
  clientId: string;
  /** Where the last will goes ("offline", retained, QoS 1). */
  statusTopic: string;
  /** Trust for an mqtts:// broker with a private CA. */
  ca?: Buffer;
}

/** A URL fit for a log line: any password in it replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}

export function connectHub(options: HubConnectionOptions): MqttClient {
  const clientOptions: IClientOptions = {
    clientId: options.clientId,
    clean: true,
    reconnectPeriod: 2000,
    connectTimeout: 10_000,
    // States are republished whole on every (re)connect: nothing is worth queueing while offline.
    queueQoSZero: false,
    will: { topic: options.statusTopic, payload: Buffer.from('offline'), qos: 1, retain: true },
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  };
  return mqtt.connect(options.url, clientOptions);
}

/** mqtt.js's connection errors in our terms. */
export function connectionError(error: Error & { code?: number | string }, url: string): MqttError {
  const where = redactUrl(url);
  if (error.code === 4 || error.code === 5 || error.code === 134 || error.code === 135) {
    return new MqttAuthError(`the MQTT broker at ${where} refused the hub's login (${error.message}): ` +
      'check WALNUT_MQTT_USERNAME and the secret mqtt/external (`walnut secrets set mqtt/external`)', { cause: error });
  }
  return new MqttConnectionError(`cannot reach the MQTT broker at ${where}: ${error.message}`, { cause: error });
}
