/**
 * OL → OB to the ONBATT bus event, polling the simulator every 1 s: walNUT's
 * NutPoller beside a raw-socket poller (setInterval 1 s, LIST VAR, watch
 * ups.status) and the theoretical bound of polling (a change waits for the next
 * poll: uniform over one interval if its phase is random).
 *
 * Getting many independent samples quickly: one simulated upsd with 20 UPSes,
 * each running its own flip loop in parallel (OL → OB → OL …). Before each flip
 * a UPS waits a uniformly random time spanning exactly one poll interval after
 * both pollers have seen its previous state, so each flip lands at a uniformly
 * random phase of both pollers' cycles, independently of the other UPSes.
 * Both pollers watch the same flips (paired samples, one run); all clocks are
 * this process's (performance.timeOrigin + performance.now()). The simulator
 * runs in this process: nothing here measures CPU, and its reply to a LIST VAR
 * takes microseconds.
 */
import * as net from 'node:net';
import { EventBus } from '../../src/bus';
import { silentLogger } from '../../src/logger';
import { NutPoller } from '../../src/nut/poller';
import { nutServerConfig } from '../../src/nut/server-config';
import { defaultDemoUps, NutSimulator } from '../../src/nut/simulator';
import { fixed, percentile, sleep, verdict, wallMs } from '../lib/stats';

const POLL_MS = 1000;
const UPS_COUNT = 20;
const WARMUP_MS = 2500;
const RUN_MS = 30_000; // no flip starts after this; a flip waits at most DETECT_TIMEOUT_MS
const DETECT_TIMEOUT_MS = 3 * POLL_MS;
const TARGET_MS = POLL_MS + 50;

type Side = 'walnut' | 'raw';
type Seen = 'OB' | 'OL';

/** One-shot waits for "side saw state on ups", resolved with the wall time it was seen. */
class Signals {
  private readonly waiting = new Map<string, (t: number) => void>();

  wait(side: Side, seen: Seen, ups: string): Promise<number | undefined> {
    return new Promise((resolve) => {
      const key = `${side}|${seen}|${ups}`;
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        resolve(undefined);
      }, DETECT_TIMEOUT_MS);
      this.waiting.set(key, (t) => {
        clearTimeout(timer);
        resolve(t);
      });
    });
  }

  signal(side: Side, seen: Seen, ups: string): void {
    const t = wallMs();
    const key = `${side}|${seen}|${ups}`;
    const resolve = this.waiting.get(key);
    this.waiting.delete(key);
    resolve?.(t);
  }
}

/** The baseline: one socket, LIST VAR for every UPS each second, lines split, ups.status watched for OB. */
function startRawPoller(port: number, names: string[], signals: Signals): () => void {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  socket.setEncoding('latin1');
  const onBattery = new Map<string, boolean>();
  let buffer = '';
  let status = '';
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('BEGIN LIST VAR ')) {
        status = '';
      } else if (line.startsWith('VAR ')) {
        const nameAt = line.indexOf(' ', 4) + 1;
        const valueAt = line.indexOf(' ', nameAt) + 1;
        if (line.slice(nameAt, valueAt - 1) === 'ups.status') status = line.slice(valueAt + 1, -1);
      } else if (line.startsWith('END LIST VAR ')) {
        const ups = line.slice(13);
        const ob = /\bOB\b/.test(status);
        if (ob !== onBattery.get(ups)) signals.signal('raw', ob ? 'OB' : 'OL', ups);
        onBattery.set(ups, ob);
      }
    }
  });
  socket.on('error', () => undefined);
  const timer = setInterval(() => {
    for (const ups of names) socket.write(`LIST VAR ${ups}\n`);
  }, POLL_MS);
  return () => {
    clearInterval(timer);
    socket.destroy();
  };
}

interface Samples {
  walnut: number[];
  raw: number[];
  missed: { walnut: number; raw: number };
  flips: number;
}

/** One UPS's flip loop: random phase, flip to OB, time both pollers, back to OL, wait until both saw it. */
async function flipLoop(sim: NutSimulator, ups: string, signals: Signals, endAt: number, samples: Samples): Promise<void> {
  while (wallMs() < endAt) {
    await sleep(Math.random() * POLL_MS);
    const seenOb = [signals.wait('walnut', 'OB', ups), signals.wait('raw', 'OB', ups)];
    sim.setStatus(ups, 'OB DISCHRG');
    const changedAt = wallMs();
    samples.flips += 1;
    const [walnut, raw] = await Promise.all(seenOb);
    if (walnut === undefined) samples.missed.walnut += 1;
    else samples.walnut.push(walnut - changedAt);
    if (raw === undefined) samples.missed.raw += 1;
    else samples.raw.push(raw - changedAt);
    await sleep(Math.random() * POLL_MS);
    const seenOl = [signals.wait('walnut', 'OL', ups), signals.wait('raw', 'OL', ups)];
    sim.setStatus(ups, 'OL');
    await Promise.all(seenOl);
  }
}

async function main(): Promise<void> {
  const sim = new NutSimulator();
  const names = Array.from({ length: UPS_COUNT }, (_, index) => `ups${String(index + 1).padStart(2, '0')}`);
  const demo = defaultDemoUps().definition;
  for (const name of names) sim.addUps(name, { ...demo, vars: { ...demo.vars, 'ups.serial': name } });
  const { port } = await sim.start({ host: '127.0.0.1' });

  const signals = new Signals();
  const bus = new EventBus();
  bus.onUpsEvent((event) => {
    if (event.type === 'ONBATT') signals.signal('walnut', 'OB', event.ups);
    if (event.type === 'ONLINE') signals.signal('walnut', 'OL', event.ups);
  });
  const poller = new NutPoller(nutServerConfig({ host: '127.0.0.1', port, pollIntervalMs: POLL_MS }), bus, silentLogger());
  poller.start();
  const stopRaw = startRawPoller(port, names, signals);
  try {
    await sleep(WARMUP_MS);
    const samples: Samples = { walnut: [], raw: [], missed: { walnut: 0, raw: 0 }, flips: 0 };
    const endAt = wallMs() + RUN_MS;
    await Promise.all(names.map((ups) => flipLoop(sim, ups, signals, endAt, samples)));

    // Uniform phase over one interval: the p-th percentile waits p × interval (plus a round trip we leave out).
    const theory = { p50: 0.5 * POLL_MS, p99: 0.99 * POLL_MS, max: POLL_MS };
    const row = (label: string, p50: number, p99: number, max: number, tail: string): void =>
      console.log(`  ${label.padEnd(40)} ${fixed(p50, 1, 8)} ${fixed(p99, 1, 8)} ${fixed(max, 1, 8)}   ${tail}`.trimEnd());
    const stats = (values: number[]) => ({ p50: percentile(values, 0.5), p99: percentile(values, 0.99), max: Math.max(...values) });
    const walnut = stats(samples.walnut);
    const raw = stats(samples.raw);
    console.log(`NUT OL→OB latency benchmark: change in the simulator to the ONBATT bus event, poll every ${POLL_MS} ms, ` +
      `${samples.flips} flips at random phases (${UPS_COUNT} UPSes on one simulated upsd flipping independently for ${RUN_MS / 1000} s), both pollers watching the same flips`);
    console.log(`  ${'ms from change to seen'.padEnd(40)} ${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)}   samples`);
    row('walNUT NutPoller → ONBATT on the bus', walnut.p50, walnut.p99, walnut.max, `${samples.walnut.length} (${samples.missed.walnut} missed)`);
    row('raw socket poller (setInterval, LIST VAR)', raw.p50, raw.p99, raw.max, `${samples.raw.length} (${samples.missed.raw} missed)`);
    row('theory: uniform phase, zero work', theory.p50, theory.p99, theory.max, '');
    console.log(`  ${'walNUT / raw'.padEnd(40)} ${fixed(walnut.p50 / raw.p50, 2, 8)} ${fixed(walnut.p99 / raw.p99, 2, 8)}`);
    console.log(`  ${'walNUT / theory'.padEnd(40)} ${fixed(walnut.p50 / theory.p50, 2, 8)} ${fixed(walnut.p99 / theory.p99, 2, 8)}`);
    const ok = walnut.p99 <= TARGET_MS && samples.missed.walnut === 0 && samples.walnut.length >= 30;
    console.log(`  walNUT p99 ${walnut.p99.toFixed(0)} ms over ${samples.walnut.length} flips  (target <= poll + 50 = ${TARGET_MS} ms, >= 30 flips, none missed) ${verdict(ok)}`);
  } finally {
    stopRaw();
    await poller.stop();
    bus.removeAllListeners();
    await sim.stop();
  }
}

void main();
