/**
 * GET VAR round trip against Debian's real upsd (dummy-ups driver, loopback):
 * our NutClient beside a raw node:net socket sending the same request line and
 * waiting for the newline that ends the reply. One request in flight at a time
 * on each side, interleaved rounds in one run; per-round-trip µs (median, p99)
 * and the ratio client/raw.
 */
import * as net from 'node:net';
import { NutClient } from '../../src/nut/client';
import { startRealUpsd } from './real-upsd';
import { fixed, median, percentile, verdict } from '../lib/stats';

const ROUNDS = 10;
const PER_ROUND = 1000; // × 10 rounds = 10,000 timed round trips per side
const WARMUP = 1000;
const TARGET_RATIO = 1.5;
const UPS = 'dummy';
const VARIABLE = 'ups.status';
const REQUEST = `GET VAR ${UPS} ${VARIABLE}\n`;

/** The baseline: one socket, write the line, resolve on the first newline. Nothing parsed. */
class RawGetVar {
  private pending: ((line: string) => void) | undefined;
  private buffer = '';

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      const end = this.buffer.indexOf('\n');
      if (end < 0) return;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 1);
      const resolve = this.pending;
      this.pending = undefined;
      resolve?.(line);
    });
  }

  static connect(host: string, port: number): Promise<RawGetVar> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port }, () => resolve(new RawGetVar(socket)));
      socket.setNoDelay(true);
      socket.once('error', reject);
    });
  }

  get(): Promise<string> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.socket.write(REQUEST);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Times `count` sequential round trips; returns each one in µs. */
async function timeRoundTrips(count: number, once: () => Promise<unknown>): Promise<number[]> {
  const samples = new Array<number>(count);
  for (let i = 0; i < count; i += 1) {
    const start = process.hrtime.bigint();
    await once();
    samples[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  return samples;
}

async function main(): Promise<void> {
  const upsd = await startRealUpsd();
  let client: NutClient | undefined;
  let raw: RawGetVar | undefined;
  try {
    client = await NutClient.connect({ host: upsd.host, port: upsd.port });
    raw = await RawGetVar.connect(upsd.host, upsd.port);
    const viaClient = client;
    const viaRaw = raw;
    const clientGet = (): Promise<string> => viaClient.getVar(UPS, VARIABLE);
    const rawGet = (): Promise<string> => viaRaw.get();

    // Both sides must read the same thing before their time counts.
    const [clientValue, rawLine] = [await clientGet(), await rawGet()];
    if (clientValue !== 'OL' || rawLine !== `VAR ${UPS} ${VARIABLE} "OL"`) throw new Error(`unexpected replies: ${clientValue} / ${rawLine}`);
    await timeRoundTrips(WARMUP, clientGet);
    await timeRoundTrips(WARMUP, rawGet);

    const sides = { client: { get: clientGet, all: [] as number[], means: [] as number[] }, raw: { get: rawGet, all: [] as number[], means: [] as number[] } };
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? (['client', 'raw'] as const) : (['raw', 'client'] as const);
      for (const name of order) {
        const samples = await timeRoundTrips(PER_ROUND, sides[name].get);
        sides[name].all.push(...samples);
        sides[name].means.push(samples.reduce((sum, value) => sum + value, 0) / samples.length);
      }
    }

    const row = (label: string, side: { all: number[]; means: number[] }): [number, number, number] => {
      const figures: [number, number, number] = [median(side.all), percentile(side.all, 0.99), median(side.means)];
      console.log(`  ${label.padEnd(34)} ${fixed(figures[0], 1, 8)}  ${fixed(figures[1], 1, 8)}  ${fixed(figures[2], 1, 8)}  ${fixed(1e6 / figures[2], 0, 8)}`);
      return figures;
    };
    console.log(`NUT GET VAR benchmark: real upsd (Debian, dummy-ups) on 127.0.0.1, "GET VAR ${UPS} ${VARIABLE}", one request in flight, ` +
      `${ROUNDS} interleaved rounds × ${PER_ROUND} round trips per side after ${WARMUP} warm-up`);
    console.log('  µs per round trip                    median       p99  round-mean  req/s');
    const [cMed, cP99, cMean] = row('NutClient.getVar', sides.client);
    const [rMed, rP99, rMean] = row('raw node:net socket', sides.raw);
    console.log(`  client / raw                       ${fixed(cMed / rMed, 2, 8)}  ${fixed(cP99 / rP99, 2, 8)}  ${fixed(cMean / rMean, 2, 8)}`);
    const ratio = cMed / rMed;
    console.log(`  client / raw, median round trip  ${ratio.toFixed(2)}  (target <= ${TARGET_RATIO.toFixed(2)}) ${verdict(ratio <= TARGET_RATIO)}`);
  } finally {
    client?.close();
    raw?.close();
    await upsd.stop();
  }
}

void main();
