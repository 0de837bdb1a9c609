import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type * as net from 'node:net';
import { SimPlug, type MutatingCall, type PlugModel } from './device';
import { plainAddress, readBody, type SimReply, sessionCookie } from './http';
import { errorReply, type InnerReply, type InnerRequest } from './inner';
import { klapAuthHash } from './klap';
import { KlapTransport } from './klap-transport';
import { PassthroughTransport } from './passthrough-transport';
import type { Transport } from './transport';

export interface TapoSimulatorOptions {
  email: string;
  password: string;
  transport: 'klap' | 'passthrough';
  /** Default P110; P110/P115 have the energy methods, P100 answers -1002 to them. */
  model?: PlugModel;
  /** The TIMEOUT cookie value and the sessions' fixed lifetime. Default 86400. */
  sessionTimeoutS?: number;
  /** Relay state at start. Default true. */
  deviceOn?: boolean;
  /** Load while on, in mW (get_energy_usage's current_power; get_current_power rounds it to W). Default 42500. */
  powerMw?: number;
  /** Default true; false = KLAP handshake1 answers HTTP 403, as with the Tapo app's switch off. */
  thirdPartyCompatibility?: boolean;
  /** For tests: the 16-byte remote_seed of each KLAP handshake. Default random. */
  randomSeed?: () => Buffer;
  /** Clock (ms) for session expiry, on_time, energy counters and mutatingCalls. Default Date.now. */
  now?: () => number;
}

export interface TapoListenAddress {
  host: string;
  port: number;
}

export interface TapoSimulatorStats {
  /** Sessions established: KLAP handshake 2 accepted, passthrough keys exchanged. */
  handshakes: number;
  /** Inner requests that passed the transport's checks and decrypted (login_device included). */
  requests: number;
}

/**
 * A Tapo P100/P110/P115 plug on plain HTTP, speaking KLAP or securePassthrough.
 * Written from PROTOCOLS.md §3 alone; it shares no code with the Tapo client it tests.
 */
export class TapoSimulator {
  private readonly plug: SimPlug;
  private readonly transport: Transport;
  private readonly counters: TapoSimulatorStats = { handshakes: 0, requests: 0 };
  /** failNext codes, oldest first: each answers one device method in place of the plug. */
  private readonly failures: number[] = [];
  private readonly sockets = new Set<net.Socket>();
  private server: http.Server | undefined;
  private listening: TapoListenAddress | undefined;

  constructor(options: TapoSimulatorOptions) {
    const now = options.now ?? Date.now;
    const sessionTimeoutS = options.sessionTimeoutS ?? 86_400;
    this.plug = new SimPlug({ model: options.model ?? 'P110', deviceOn: options.deviceOn ?? true, powerMw: options.powerMw ?? 42_500, now });
    const host = {
      handshakeDone: () => {
        this.counters.handshakes += 1;
      },
      requestReceived: () => {
        this.counters.requests += 1;
      },
      execute: (request: InnerRequest, ip: string) => this.execute(request, ip),
      componentNego: () => this.plug.execute({ method: 'component_nego', params: undefined }, ''),
    };
    this.transport =
      options.transport === 'klap'
        ? new KlapTransport(
            {
              authHash: klapAuthHash(options.email, options.password),
              sessionTimeoutS,
              thirdPartyCompatibility: options.thirdPartyCompatibility ?? true,
              randomSeed: options.randomSeed ?? (() => crypto.randomBytes(16)),
              now,
            },
            host,
          )
        : new PassthroughTransport({ email: options.email, password: options.password, sessionTimeoutS, now }, host);
  }

  // ---- lifecycle -------------------------------------------------------------

  async start(options: { host?: string; port?: number } = {}): Promise<TapoListenAddress> {
    if (this.server) throw new Error('Tapo simulator already started');
    const host = options.host ?? '127.0.0.1';
    const server = http.createServer((req, res) => this.serve(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.listening = { host, port: (server.address() as net.AddressInfo).port };
    return this.listening;
  }

  /** Closes the listener and every connection, kept-alive ones included. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.listening = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  get address(): TapoListenAddress | undefined {
    return this.listening;
  }

  // ---- the plug --------------------------------------------------------------

  get deviceOn(): boolean {
    return this.plug.deviceOn;
  }

  setDeviceOn(on: boolean): void {
    this.plug.setOn(on);
  }

  /** The load's draw while the relay is on, in mW. */
  setPowerMw(mw: number): void {
    this.plug.setLoadMw(mw);
  }

  /** Every set_device_info the plug received, including refused ones (errorCode ≠ 0). */
  get mutatingCalls(): MutatingCall[] {
    return this.plug.mutatingCalls;
  }

  get stats(): TapoSimulatorStats {
    return { ...this.counters };
  }

  // ---- faults ----------------------------------------------------------------

  /** KLAP /app/request answers 403, passthrough answers error_code 9999, until the client handshakes again. */
  expireSessions(): void {
    this.transport.expireSessions();
  }

  /**
   * The next device method answers {"error_code": errorCode} instead of running.
   * Calls queue up. Passthrough's login_device is not a device method and is not affected.
   */
  failNext(errorCode: number): void {
    this.failures.push(errorCode);
  }

  // ---- HTTP ------------------------------------------------------------------

  private execute(request: InnerRequest, ip: string): InnerReply {
    const failure = this.failures.shift();
    return failure === undefined ? this.plug.execute(request, ip) : errorReply(failure);
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.reply(req)
      .catch((error: unknown): SimReply => ({ status: 500, body: error instanceof Error ? error.message : String(error) }))
      .then((reply) => send(res, reply))
      .catch(() => res.destroy());
  }

  private async reply(req: http.IncomingMessage): Promise<SimReply> {
    const body = await readBody(req);
    if (body === undefined) return { status: 413 };
    if (req.method !== 'POST') return { status: 405, headers: { Allow: 'POST' } };
    const url = new URL(req.url ?? '/', 'http://device');
    return this.transport.handle({
      path: url.pathname,
      query: url.searchParams,
      sessionId: sessionCookie(req.headers.cookie),
      body,
      localAddress: plainAddress(req.socket.localAddress),
    });
  }
}

function send(res: http.ServerResponse, reply: SimReply): void {
  const body = reply.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(reply.body, 'utf8');
  res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(body.length) });
  res.end(body);
}
