/**
 * The embedded Aedes broker: every client logs in (accounts from the secret
 * store), clients other than the hub may publish only command topics and
 * Home Assistant's birth message, retained messages are kept in the store,
 * and TLS and WebSocket listeners are there when configured.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import memoryPersistence from 'aedes-persistence';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { HubStartError } from '../errors';
import type { Logger } from '../logger';
import { HUB_USER, passwordMatches } from './credentials';
import type { RetainedStore } from './retained-store';
import type { Topics } from './topics';

export interface EmbeddedBroker {
  readonly aedes: Aedes;
  readonly host: string;
  readonly port: number;
  readonly tlsPort?: number;
  readonly wsPort?: number;
  close(): Promise<void>;
}

export interface BrokerOptions {
  host: string;
  port: number;
  tls?: { port: number; certFile: string; keyFile: string };
  ws?: { port: number };
  /** Username → password. */
  users: ReadonlyMap<string, string>;
  topics: Topics;
  retained?: RetainedStore;
  /** A client (not the hub) published a command: `actor` says who. */
  onCommand?: (topic: string, payload: Buffer, actor: string) => void;
}

const BAD_USERNAME_OR_PASSWORD = 4;

interface RetainedPacket { topic: string; payload: Buffer | string; qos: 0 | 1 | 2; retain: boolean; cmd: 'publish'; dup: boolean; brokerId?: string; brokerCounter?: number }
/** aedes-persistence's promise API (its typings still describe callbacks; aedes 1.x calls it without one). */
interface PromisedPersistence { storeRetained(packet: RetainedPacket): Promise<void> }

function listen(server: net.Server, port: number, host: string): Promise<net.AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as net.AddressInfo);
    });
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function usernameOf(client: Client | null): string | undefined {
  return (client as (Client & { walnutUser?: string }) | null)?.walnutUser;
}

export async function startEmbeddedBroker(options: BrokerOptions, logger: Logger): Promise<EmbeddedBroker> {
  const persistence = memoryPersistence() as unknown as PromisedPersistence;
  const retained = options.retained;
  if (retained) {
    for (const message of await retained.load()) {
      await persistence.storeRetained({ cmd: 'publish', topic: message.topic, payload: message.payload, qos: message.qos as 0 | 1 | 2, retain: true, dup: false });
    }
    // Every retained message also goes to the store (written behind, a second at most).
    const storeRetained = persistence.storeRetained.bind(persistence);
    persistence.storeRetained = async (packet: RetainedPacket) => {
      await storeRetained(packet);
      retained.remember({ topic: packet.topic, payload: Buffer.from(packet.payload), qos: packet.qos });
    };
    retained.start();
  }

  const aedes = await Aedes.createBroker({
    id: 'walnut',
    persistence,
    authenticate: (client, username, password, done) => {
      if (username !== undefined && passwordMatches(options.users.get(username), password)) {
        (client as Client & { walnutUser?: string }).walnutUser = username;
        return done(null, true);
      }
      logger.warn({ clientId: client.id, username }, 'MQTT login refused: wrong username or password');
      const error = new Error('bad user name or password') as AuthenticateError;
      error.returnCode = BAD_USERNAME_OR_PASSWORD;
      return done(error, false);
    },
    authorizePublish: (client, packet, done) => {
      // client is null for a will published after its owner is gone: wills are checked when stored.
      if (client === null || usernameOf(client) === HUB_USER) return done(null);
      if (options.topics.mayClientPublish(packet.topic)) return done(null);
      logger.warn({ clientId: client.id, username: usernameOf(client), topic: packet.topic }, 'MQTT publish refused by the ACL');
      return done(new Error(`not allowed to publish to ${packet.topic}`));
    },
  });
  if (options.onCommand) {
    const onCommand = options.onCommand;
    aedes.on('publish', (packet, client) => {
      if (client === null || usernameOf(client) === HUB_USER || options.topics.parseCommand(packet.topic) === undefined) return;
      onCommand(packet.topic, Buffer.from(packet.payload), `mqtt:${usernameOf(client) ?? '?'}@${client.id}`);
    });
  }

  const servers: net.Server[] = [];
  const closeAll = async (): Promise<void> => {
    // Aedes first: it disconnects clients, which lets the listeners close.
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await Promise.all(servers.map(closeServer));
    await retained?.stop();
  };
  const start = async <T extends net.Server>(what: string, server: T, port: number): Promise<number> => {
    servers.push(server);
    try {
      return (await listen(server, port, options.host)).port;
    } catch (error) {
      await closeAll();
      const code = (error as NodeJS.ErrnoException).code;
      const hint = code === 'EADDRINUSE' ? ' (another broker such as Mosquitto may hold it: set WALNUT_MQTT_PORT, or MQTT_URL to use that broker)' : '';
      throw new HubStartError('mqtt', `cannot listen for ${what} on ${options.host}:${port}: ${code ?? String(error)}${hint}`, { cause: error });
    }
  };

  // No Nagle: a state update is one small packet, and waiting to batch it only delays Home Assistant.
  const port = await start('MQTT', net.createServer({ noDelay: true }, (socket) => aedes.handle(socket)), options.port);
  let tlsPort: number | undefined;
  if (options.tls) {
    let secure: tls.Server;
    try {
      secure = tls.createServer({ cert: fs.readFileSync(options.tls.certFile), key: fs.readFileSync(options.tls.keyFile) }, (socket) => aedes.handle(socket));
    } catch (error) {
      await closeAll();
      throw new HubStartError('mqtt', `cannot use the MQTT TLS certificate ${options.tls.certFile} and key ${options.tls.keyFile}: ${(error as Error).message}`, { cause: error });
    }
    tlsPort = await start('MQTT over TLS', secure, options.tls.port);
  }
  let wsPort: number | undefined;
  if (options.ws) {
    const server = http.createServer();
    const sockets = new WebSocketServer({ server });
    sockets.on('connection', (socket, request) => aedes.handle(createWebSocketStream(socket), request));
    wsPort = await start('MQTT over WebSocket', server, options.ws.port);
  }
  logger.info({ host: options.host, port, tlsPort, wsPort }, 'embedded MQTT broker listening');
  return {
    aedes, host: options.host, port, ...(tlsPort === undefined ? {} : { tlsPort }), ...(wsPort === undefined ? {} : { wsPort }),
    close: closeAll,
  };
}
