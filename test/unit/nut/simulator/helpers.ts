import { once } from 'node:events';
import * as net from 'node:net';
import type { NutSimulatorEvents } from '../../../../src/nut/simulator/events';
import { NutSimulator, type NutSimulatorOptions } from '../../../../src/nut/simulator/server';

/** The next payload of a simulator event (register before causing it). */
export async function nextEvent<K extends keyof NutSimulatorEvents>(sim: NutSimulator, name: K): Promise<NutSimulatorEvents[K][0]> {
  const [payload] = (await once(sim, name)) as NutSimulatorEvents[K];
  return payload;
}

/** An event payload without its connection details, for deepEqual. */
export function withoutClient<T extends { client: unknown }>(event: T): Omit<T, 'client'> {
  const rest: Partial<T> = { ...event };
  delete rest.client;
  return rest as Omit<T, 'client'>;
}

/**
 * A deliberately dumb NUT client for testing the simulator: raw socket, frames on
 * `\n` only, no quoting or escaping of its own (tests write the bytes they mean).
 */
export class LineClient {
  private buffer = '';
  private readonly lines: string[] = [];
  private readonly waiters: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  private ended = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.receive(chunk));
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.ended = true;
        for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(`connection closed; unread: ${JSON.stringify(this.buffer)}`));
        resolve();
      });
    });
    socket.on('error', () => {
      // 'close' follows and rejects whoever waits
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host);
      socket.once('connect', () => resolve(new LineClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Bytes exactly as given (no newline added). */
  write(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** Sends one request line and returns the first reply line. */
  async request(line: string): Promise<string> {
    this.write(`${line}\n`);
    return this.readLine();
  }

  /** Sends a LIST-style request and returns every line through the END line. */
  async requestList(line: string): Promise<string[]> {
    this.write(`${line}\n`);
    const first = await this.readLine();
    if (!first.startsWith('BEGIN ')) return [first];
    const lines = [first];
    for (;;) {
      const next = await this.readLine();
      lines.push(next);
      if (next.startsWith('END ')) return lines;
    }
  }

  readLine(): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Bytes received after the last complete line. */
  get partial(): string {
    return this.buffer;
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let newline = this.buffer.indexOf('\n');
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(line);
      else this.lines.push(line);
      newline = this.buffer.indexOf('\n');
    }
  }
}

/** The world most tests use: one UPS with every kind of variable, one on a dead driver, and four users. */
export function testWorld(sim: NutSimulator): void {
  sim.addUps('ups1', {
    description: 'Rack "A" \\ #1',
    vars: {
      'ups.status': 'OL',
      'battery.charge': '100',
      'ups.load': '23',
      'ups.id': 'rack-a',
      'ups.beeper.status': 'enabled',
      'ups.delay.shutdown': '20',
      'driver.name': 'dummy-ups',
      'ups.test.result': 'said "ok" \\ #done',
    },
    rw: ['ups.id', 'ups.beeper.status', 'ups.delay.shutdown', 'ups.load'],
    enums: { 'ups.beeper.status': ['enabled', 'disabled', 'muted'] },
    ranges: { 'ups.delay.shutdown': [{ min: 0, max: 120 }, { min: 300, max: 600 }] },
    strings: { 'ups.id': 8 },
    commands: { 'load.off': 'Turn off the load immediately', 'test.battery.start.quick': 'Start a quick battery test', 'beeper.mute': 'Mute the beeper' },
    varDescriptions: { 'battery.charge': 'Battery charge (percent of full)' },
  });
  sim.addUps('ups2', { vars: { 'ups.status': 'OB' } });
  sim.addUser('admin', { password: 'adm', upsmon: 'primary', actions: ['SET', 'FSD'], instcmds: 'ALL' });
  sim.addUser('mon', { password: 'pw', upsmon: 'secondary' });
  sim.addUser('setter', { password: 'st', actions: ['SET'] });
  sim.addUser('tester', { password: 'ts', instcmds: ['test.battery.start.quick'] });
}

export interface Harness {
  sim: NutSimulator;
  port: number;
  /** A fresh connection, closed by stopHarness. */
  connect(): Promise<LineClient>;
  /** A connection that already sent USERNAME and PASSWORD. */
  connectAs(user: string, password: string): Promise<LineClient>;
}

const openClients: LineClient[] = [];

export async function startHarness(options: NutSimulatorOptions = {}, world: (sim: NutSimulator) => void = testWorld): Promise<Harness> {
  const sim = new NutSimulator(options);
  world(sim);
  const { port } = await sim.start();
  const connect = async (): Promise<LineClient> => {
    const client = await LineClient.connect(port);
    openClients.push(client);
    return client;
  };
  return {
    sim,
    port,
    connect,
    connectAs: async (user, password) => {
      const client = await connect();
      if ((await client.request(`USERNAME ${user}`)) !== 'OK') throw new Error('USERNAME refused');
      if ((await client.request(`PASSWORD ${password}`)) !== 'OK') throw new Error('PASSWORD refused');
      return client;
    },
  };
}

export async function stopHarness(harness: Harness | undefined): Promise<void> {
  for (const client of openClients.splice(0)) client.close();
  await harness?.sim.stop();
}
