import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gen1Device } from './gen1';
import { Gen2Device } from './gen2';
import { type HttpReply, macFromId, type SimRequest } from './http';
import { NonceTable, type NonceStyle } from './nonces';
import { type MutatingCall, PlugState } from './state';

export interface ShellySimulatorOptions {
  /** 1: Gen1 HTTP + Basic auth; 2: Gen2 JSON-RPC + SHA-256 digest. */
  gen: 1 | 2;
  /** Auth is on when set (user admin in both generations). */
  password?: string;
  /** Gen2 only: old firmware's decimal nonces or firmware 2.0's base64 ones. Default 'opaque'. */
  nonceStyle?: NonceStyle;
  /** Uses per nonce before it goes stale. Default 30000. */
  nonceMaxUses?: number;
  /** Nonce lifetime. Default 3_600_000 (1 h). */
  nonceTtlMs?: number;
  /** Live nonces kept; fresh ones asked for faster than slots free get 429. Default 32. */
  nonceSlots?: number;
  /** Default 1. */
  channels?: number;
  /** Power reported by an output that is on. Default 42.5 W. */
  powerW?: number;
  /** Device id, also the Gen2 realm. */
  id?: string;
  /** Clock (ms) for nonce ages and energy counters. Default Date.now. */
  now?: () => number;
}

export interface ListenAddress {
  host: string;
  port: number;
}

export interface ShellySimulatorStats {
  requests: number;
  /** Every 401, stale ones included. */
  unauthorized: number;
  /** 401s that said stale=true. */
  stale: number;
  /** 429s. */
  tooMany: number;
}

/** Request bodies are small JSON-RPC envelopes; anything bigger is refused. */
const MAX_BODY_BYTES = 64 * 1024;

class BodyTooLarge extends Error {}

function readBody(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new BodyTooLarge());
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function writeReply(response: http.ServerResponse, reply: HttpReply): void {
  const text = typeof reply.body === 'string';
  const payload = Buffer.from(text ? (reply.body as string) : JSON.stringify(reply.body), 'utf8');
  response.writeHead(reply.status, {
    'Content-Type': text ? 'text/plain' : 'application/json',
    'Content-Length': String(payload.length),
    ...reply.headers,
  });
  response.end(payload);
}

/**
 * A fake Shelly plug (Gen1 or Gen2) on node:http, for testing the hub's Shelly
 * client without hardware. Written from PROTOCOLS.md §4 only; it shares no code
 * with the client it tests.
 */
export class ShellySimulator {
  readonly stats: ShellySimulatorStats = { requests: 0, unauthorized: 0, stale: 0, tooMany: 0 };
  private readonly state: PlugState;
  private readonly nonces: NonceTable;
  private readonly device: Gen1Device | Gen2Device;
  private server: http.Server | undefined;

  constructor(options: ShellySimulatorOptions) {
    const now = options.now ?? Date.now;
    const id = options.id ?? (options.gen === 1 ? 'shellyplug-s-AABBCC' : 'shellyplusplugs-aabbccddeeff');
    this.state = new PlugState(options.channels ?? 1, options.powerW ?? 42.5, now);
    this.nonces = new NonceTable({
      style: options.nonceStyle ?? 'opaque',
      maxUses: options.nonceMaxUses ?? 30_000,
      ttlMs: options.nonceTtlMs ?? 3_600_000,
      slots: options.nonceSlots ?? 32,
      now,
    });
    const identity = { id, mac: macFromId(id) };
    this.device =
      options.gen === 1
        ? new Gen1Device(identity, this.state, options.password)
        : new Gen2Device(identity, this.state, options.password, this.nonces);
  }

  /** Every accepted state-changing request, in order; reads and setOn() never appear. */
  get mutatingCalls(): MutatingCall[] {
    return this.state.mutatingCalls;
  }

  async start(options: { host?: string; port?: number } = {}): Promise<ListenAddress> {
    if (this.server) throw new Error('Shelly simulator already started');
    const host = options.host ?? '127.0.0.1';
    const server = http.createServer((request, response) => void this.serve(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return { host, port: (server.address() as AddressInfo).port };
  }

  /** Closes the listener and every connection, idle keep-alive ones included. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  isOn(channel = 0): boolean {
    return this.state.isOn(channel);
  }

  /** Switches an output as a button press would: not recorded in mutatingCalls. */
  setOn(channel: number, on: boolean): void {
    this.state.set(channel, on);
  }

  /** Every issued nonce goes stale: its next use gets 401 stale=true. */
  expireNonces(): void {
    this.nonces.expireAll();
  }

  private async serve(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    this.stats.requests += 1;
    let body: Buffer;
    try {
      body = await readBody(request);
    } catch (error) {
      if (error instanceof BodyTooLarge) writeReply(response, { status: 413, headers: { Connection: 'close' }, body: 'Payload Too Large' });
      else response.destroy();
      return;
    }
    const simRequest: SimRequest = { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body };
    let reply: HttpReply;
    try {
      reply = this.device.handle(simRequest);
    } catch (error) {
      // a simulator bug should fail the test's request, not crash the process
      reply = { status: 500, body: `simulator error: ${(error as Error).message}` };
    }
    this.count(reply);
    writeReply(response, reply);
  }

  private count(reply: HttpReply): void {
    if (reply.status === 429) this.stats.tooMany += 1;
    if (reply.status !== 401) return;
    this.stats.unauthorized += 1;
    if (reply.headers?.['WWW-Authenticate']?.includes('stale=true')) this.stats.stale += 1;
  }
}
