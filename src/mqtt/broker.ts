import * as net from 'node:net';
import { Aedes } from 'aedes';
import { HubStartError } from '../errors';
import type { Logger } from '../logger';

export interface EmbeddedBroker {
  readonly aedes: Aedes;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface BrokerOptions {
  host: string;
  port: number;
}

function listen(server: net.Server, options: BrokerOptions): Promise<net.AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve(server.address() as net.AddressInfo);
    });
  });
}

/** The embedded Aedes broker on a plain TCP listener (Home Assistant's MQTT integration connects here). */
export async function startEmbeddedBroker(options: BrokerOptions, logger: Logger): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker({ id: 'walnut' });
  const server = net.createServer((socket) => aedes.handle(socket));
  let address: net.AddressInfo;
  try {
    address = await listen(server, options);
  } catch (error) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'EADDRINUSE' ? ' (another broker such as Mosquitto may hold it: set WALNUT_MQTT_PORT, or MQTT_URL to use that broker)' : '';
    throw new HubStartError('mqtt', `cannot listen on ${options.host}:${options.port}: ${code ?? String(error)}${hint}`, { cause: error });
  }
  logger.info({ host: address.address, port: address.port }, 'embedded MQTT broker listening');
  return {
    aedes,
    host: address.address,
    port: address.port,
    close: async () => {
      // Aedes first: it disconnects clients, which lets the listener close.
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
