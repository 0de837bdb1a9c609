import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

/** Every message a client receives, in order, with waits on what is yet to come. */
export class MqttRecorder {
  readonly messages: Received[] = [];
  private waiters: Array<{ predicate: (message: Received) => boolean; resolve: (message: Received) => void }> = [];

  constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const message = { topic, payload: payload.toString('utf8'), retain: packet.retain };
      this.messages.push(message);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.predicate(message)) return true;
        waiter.resolve(message);
        return false;
      });
    });
  }

  /** The first message (already received or still to come) that matches. */
  waitFor(predicate: (message: Received) => boolean, what: string, timeoutMs = 20_000, from = 0): Promise<Received> {
    const seen = this.messages.slice(from).find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no MQTT message: ${what} (received ${this.messages.length})`)), timeoutMs);
      this.waiters.push({ predicate, resolve: (message) => { clearTimeout(timer); resolve(message); } });
    });
  }

  /** The newest payload of each topic. */
  latest(): Map<string, Received> {
    const latest = new Map<string, Received>();
    for (const message of this.messages) latest.set(message.topic, message);
    return latest;
  }
}

export async function recordTopics(url: string, filters: string[], options: IClientOptions = {}): Promise<MqttRecorder> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...options });
  const recorder = new MqttRecorder(client);
  await client.subscribeAsync(filters, { qos: 1 });
  return recorder;
}
