/**
 * 1,000 simulated UPSes polled at 1 Hz: hub-side CPU (share of one core) of
 * walNUT's NutPoller beside the simplest correct poller (a raw socket per server
 * sending LIST VAR for each UPS every second and splitting the lines), and the
 * time from a status change (OL → OB) on the simulator side to the event.
 *
 * Fleet shape: 10 upsd servers × 100 UPSes, one persistent connection (one
 * poller) per server, as the hub is designed to run. A site this size has a
 * handful of upsd hosts (one per room or rack row), not one upsd with 1,000
 * drivers, and ten servers exercise the per-server loops and timers that a
 * single poller would hide; 100 UPSes per server still puts 100 pipelined
 * LIST VAR requests on each connection per poll.
 *
 * CPU isolation: process.cpuUsage() counts every thread of a process, so a
 * worker thread would not separate the two sides. The ten NutSimulators run in a
 * child process (this same script forked with the role argument `simulators`);
 * the measured process holds only the pollers (and a few IPC messages a second
 * carrying the change times). Phases alternate walNUT / raw within one run;
 * each phase warms up before its measuring window, and the figure is the median
 * over rounds of (user + system CPU) / wall time within the window.
 *
 * Latency timing: the child flips ups.status of random UPSes (OL → "OB DISCHRG",
 * back to OL 3 s later) and sends the wall time of each flip over IPC; the hub
 * stamps each ONBATT bus event (raw baseline: each OB it first sees in a LIST VAR
 * answer) with the wall time it runs. Both stamps are performance.timeOrigin +
 * performance.now(): the same system clock read at each process's start plus a
 * monotonic offset, so they compare across the two processes; a ping over IPC
 * at start checks the offset and it is printed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { EventBus } from '../../src/bus';
import { silentLogger } from '../../src/logger';
import { NutPoller } from '../../src/nut/poller';
import { nutServerConfig } from '../../src/nut/server-config';
import { defaultDemoUps, NutSimulator } from '../../src/nut/simulator';
import { fixed, median, percentile, sleep, verdict, wallMs } from '../lib/stats';

const SIM_ROLE = 'simulators';
const SERVERS = 10;
const UPS_PER_SERVER = 100;
const POLL_MS = 1000;
const ROUNDS = 3;
const WARMUP_MS = 2500; // connect, LIST UPS, first polls: not measured
const WINDOW_MS = 7000; // measured; × 3 rounds ≈ 21 s per side
const DRAIN_MS = 1500; // keep polling after the window so late flips still get their event
const FLIPS_PER_SECOND = 10;
const HOLD_OB_MS = 3000;
const REST_OL_MS = 3000; // a UPS flips again only after being seen OL again
const TARGET_CPU = 0.3;
const PHASE_DEADLINE_MS = 30_000;

const upsName = (index: number): string => `ups${String(index + 1).padStart(3, '0')}`;
const upsNames = Array.from({ length: UPS_PER_SERVER }, (_, index) => upsName(index));

type ToChild = { type: 'ping'; t0: number } | { type: 'cpu' } | { type: 'stop' };
type FromChild =
  | { type: 'ready'; ports: number[]; variables: number }
  | { type: 'pong'; t0: number; tc: number }
  | { type: 'cpu'; usage: NodeJS.CpuUsage; t: number }
  | { type: 'change'; server: string; ups: string; t: number };

// ---- the simulator side (child process) ---------------------------------------

async function simulators(): Promise<void> {
  const send = (message: FromChild): void => {
    process.send?.(message);
  };
  const sims: NutSimulator[] = [];
  const demo = defaultDemoUps().definition;
  for (let s = 0; s < SERVERS; s += 1) {
    const sim = new NutSimulator();
    for (const [index, name] of upsNames.entries()) {
      const serial = `SIM-${s}-${index}`;
      sim.addUps(name, { ...demo, vars: { ...demo.vars, 'device.serial': serial, 'ups.serial': serial, 'ups.load': String(15 + ((s * 7 + index) % 40)) } });
    }
    sims.push(sim);
  }
  const addresses = [];
  for (const sim of sims) addresses.push(await sim.start({ host: '127.0.0.1' }));
  const servers = addresses.map((a) => `${a.host}:${a.port}`);

  // Which UPSes may flip: OL, and OL long enough for any poller to have seen it.
  const olSince = sims.map(() => new Array<number>(UPS_PER_SERVER).fill(0));
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, work: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      work();
    }, ms);
    timers.add(timer);
  };
  const flip = (): void => {
    const now = wallMs();
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const s = Math.floor(Math.random() * SERVERS);
      const u = Math.floor(Math.random() * UPS_PER_SERVER);
      const since = olSince[s] as number[];
      if (since[u] === -1 || now - (since[u] as number) < REST_OL_MS) continue;
      const sim = sims[s] as NutSimulator;
      const ups = upsNames[u] as string;
      sim.setVars(ups, { 'ups.status': 'OB DISCHRG', 'input.voltage': '0.0' });
      const t = wallMs();
      since[u] = -1;
      send({ type: 'change', server: servers[s] as string, ups, t });
      later(HOLD_OB_MS, () => {
        sim.setVars(ups, { 'ups.status': 'OL', 'input.voltage': '230.0' });
        since[u] = wallMs();
      });
      return;
    }
  };
  // Flips at random times (uniform gaps around the mean rate): random phases against every poller.
  const schedule = (): void => later(Math.random() * (2000 / FLIPS_PER_SECOND), () => {
    flip();
    schedule();
  });
  schedule();

  process.on('message', (message: ToChild) => {
    switch (message.type) {
      case 'ping':
        send({ type: 'pong', t0: message.t0, tc: wallMs() });
        break;
      case 'cpu':
        send({ type: 'cpu', usage: process.cpuUsage(), t: performance.now() });
        break;
      case 'stop':
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        void Promise.all(sims.map((sim) => sim.stop())).then(() => process.disconnect());
        break;
    }
  });
  send({ type: 'ready', ports: addresses.map((a) => a.port), variables: Object.keys(demo.vars).length });
}

// ---- the hub side (measured process) --------------------------------------------

interface Recorder {
  /** ONBATT (or first OB seen) wall times per `server|ups`. */
  events: Map<string, number[]>;
  record(server: string, ups: string): void;
  /** Readings taken (snapshots with data; raw: END LIST VAR lines), to check the fleet really is polled at 1 Hz. */
  readings: number;
}

function recorder(): Recorder {
  const events = new Map<string, number[]>();
  return {
    events,
    readings: 0,
    record(server, ups) {
      const key = `${server}|${ups}`;
      const list = events.get(key);
      if (list) list.push(wallMs());
      else events.set(key, [wallMs()]);
    },
  };
}

interface FleetSide {
  stop(): Promise<void>;
}

function startWalnut(ports: number[], rec: Recorder): FleetSide {
  const bus = new EventBus();
  bus.onUpsEvent((event) => {
    if (event.type === 'ONBATT') rec.record(event.server, event.ups);
  });
  bus.onUpsSnapshot((snapshot) => {
    if (snapshot.comm === 'ok') rec.readings += 1;
  });
  const pollers = ports.map((port) => new NutPoller(nutServerConfig({ host: '127.0.0.1', port, pollIntervalMs: POLL_MS }), bus, silentLogger()));
  for (const poller of pollers) poller.start();
  return {
    async stop() {
      await Promise.all(pollers.map((poller) => poller.stop()));
      bus.removeAllListeners();
    },
  };
}

/**
 * The baseline: per server one socket, every second one LIST VAR per UPS, the
 * answer split into lines and each VAR line into name and value. No snapshot,
 * no event rules: it notes only when a UPS's ups.status first shows OB.
 */
function startRaw(ports: number[], rec: Recorder): FleetSide {
  const sockets = ports.map((port) => {
    const server = `127.0.0.1:${port}`;
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    const latest = new Map<string, Record<string, string>>();
    let buffer = '';
    let current: Record<string, string> = {};
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('VAR ')) {
          const nameAt = line.indexOf(' ', 4) + 1;
          const valueAt = line.indexOf(' ', nameAt) + 1;
          current[line.slice(nameAt, valueAt - 1)] = line.slice(valueAt + 1, -1).replace(/\\(.)/g, '$1');
        } else if (line.startsWith('BEGIN LIST VAR ')) {
          current = {};
        } else if (line.startsWith('END LIST VAR ')) {
          const ups = line.slice(13);
          rec.readings += 1;
          const before = latest.get(ups)?.['ups.status'] ?? '';
          if (/\bOB\b/.test(current['ups.status'] ?? '') && !/\bOB\b/.test(before)) rec.record(server, ups);
          latest.set(ups, current);
        }
      }
    });
    socket.on('error', () => undefined);
    return socket;
  });
  const poll = (): void => {
    for (const socket of sockets) for (const ups of upsNames) socket.write(`LIST VAR ${ups}\n`);
  };
  const timer = setInterval(poll, POLL_MS);
  sockets[0]?.once('connect', poll);
  return {
    stop() {
      clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      return Promise.resolve();
    },
  };
}

interface Change {
  server: string;
  ups: string;
  t: number;
}

interface PhaseResult {
  cpuShare: number;
  simCpuShare: number;
  latencies: number[];
  changes: number;
  missed: number;
  readingsPerSecond: number;
}

/** Child messages as awaitable values. */
function channel(child: ChildProcess): { next<T extends FromChild['type']>(type: T): Promise<Extract<FromChild, { type: T }>>; onChange(listener: (change: Change) => void): void } {
  const waiting = new Map<string, (message: FromChild) => void>();
  let changeListener: (change: Change) => void = () => undefined;
  child.on('message', (message: FromChild) => {
    if (message.type === 'change') return changeListener(message);
    const resolve = waiting.get(message.type);
    waiting.delete(message.type);
    resolve?.(message);
  });
  return {
    next(type) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${type}" from the simulator process`)), PHASE_DEADLINE_MS);
        waiting.set(type, (message) => {
          clearTimeout(timer);
          resolve(message as never);
        });
      });
    },
    onChange(listener) {
      changeListener = listener;
    },
  };
}

async function main(): Promise<void> {
  if (process.argv[2] === SIM_ROLE) return simulators();

  const child = fork(__filename, [SIM_ROLE], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const io = channel(child);
  const ask = (message: ToChild): void => {
    child.send(message);
  };
  try {
    const ready = await io.next('ready');
    const changes: Change[] = [];
    io.onChange((change) => changes.push(change));

    // Clock check: the child's stamp against the midpoint of our send and receive.
    const pings: Array<{ offset: number; rtt: number }> = [];
    for (let i = 0; i < 5; i += 1) {
      const t0 = wallMs();
      ask({ type: 'ping', t0 });
      const pong = await io.next('pong');
      const t1 = wallMs();
      pings.push({ offset: pong.tc - (t0 + t1) / 2, rtt: t1 - t0 });
    }
    const bestPing = pings.reduce((a, b) => (b.rtt < a.rtt ? b : a));

    const childCpu = async (): Promise<{ micros: number; t: number }> => {
      ask({ type: 'cpu' });
      const reply = await io.next('cpu');
      return { micros: reply.usage.user + reply.usage.system, t: reply.t };
    };

    const phase = async (start: (ports: number[], rec: Recorder) => FleetSide): Promise<PhaseResult> => {
      const rec = recorder();
      const side = start(ready.ports, rec);
      try {
        await sleep(WARMUP_MS);
        const simBefore = await childCpu();
        const from = wallMs();
        const readingsBefore = rec.readings;
        const cpuBefore = process.cpuUsage();
        const wallBefore = performance.now();
        await sleep(WINDOW_MS);
        const cpu = process.cpuUsage(cpuBefore);
        const wall = (performance.now() - wallBefore) * 1000;
        const readings = rec.readings - readingsBefore;
        const to = wallMs();
        const simAfter = await childCpu();
        await sleep(DRAIN_MS);
        const inWindow = changes.filter((change) => change.t >= from && change.t < to);
        const latencies: number[] = [];
        for (const change of inWindow) {
          const seen = rec.events.get(`${change.server}|${change.ups}`)?.find((t) => t >= change.t && t < change.t + HOLD_OB_MS);
          if (seen !== undefined) latencies.push(seen - change.t);
        }
        return {
          cpuShare: (cpu.user + cpu.system) / wall,
          simCpuShare: (simAfter.micros - simBefore.micros) / ((simAfter.t - simBefore.t) * 1000),
          latencies,
          changes: inWindow.length,
          missed: inWindow.length - latencies.length,
          readingsPerSecond: readings / (wall / 1e6),
        };
      } finally {
        await side.stop();
      }
    };

    const results = { walnut: [] as PhaseResult[], raw: [] as PhaseResult[] };
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? (['walnut', 'raw'] as const) : (['raw', 'walnut'] as const);
      for (const kind of order) results[kind].push(await phase(kind === 'walnut' ? startWalnut : startRaw));
    }

    const summary = (list: PhaseResult[]) => {
      const latencies = list.flatMap((r) => r.latencies);
      return {
        cpu: median(list.map((r) => r.cpuShare)),
        runs: list.map((r) => (r.cpuShare * 100).toFixed(1)).join(', '),
        sim: median(list.map((r) => r.simCpuShare)),
        p50: percentile(latencies, 0.5),
        p99: percentile(latencies, 0.99),
        max: Math.max(...latencies),
        samples: latencies.length,
        missed: list.reduce((sum, r) => sum + r.missed, 0),
        readings: median(list.map((r) => r.readingsPerSecond)),
      };
    };
    const walnut = summary(results.walnut);
    const raw = summary(results.raw);
    console.log(`NUT fleet benchmark: ${(SERVERS * UPS_PER_SERVER).toLocaleString('en-US')} simulated UPSes (${SERVERS} servers × ${UPS_PER_SERVER} UPSes, ${ready.variables} variables each) polled every ${POLL_MS} ms, ` +
      `one connection per server; hub-side CPU in ${ROUNDS} interleaved rounds of ${WINDOW_MS / 1000} s per side (simulators in a child process); ` +
      `~${FLIPS_PER_SECOND} OL→OB flips/s; clock offset child−hub ${bestPing.offset.toFixed(2)} ms (IPC round trip ${bestPing.rtt.toFixed(2)} ms)`);
    const blank = ''.padEnd(36);
    console.log(`  ${blank} ${'hub CPU'.padStart(9)} ${'change → event, ms'.padStart(26)} ${'flips'.padStart(12)} ${'UPS'.padStart(8)} ${'sim CPU'.padStart(8)}   hub CPU`);
    console.log(`  ${blank} ${'% core'.padStart(9)} ${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)} ${'seen/missed'.padStart(12)} ${'reads/s'.padStart(8)} ${'% core'.padStart(8)}   runs (%)`);
    for (const [label, s] of [['walNUT NutPoller (snapshots, events)', walnut], ['raw socket LIST VAR + split', raw]] as const) {
      console.log(`  ${label.padEnd(36)} ${fixed(s.cpu * 100, 1, 9)} ${fixed(s.p50, 1, 8)} ${fixed(s.p99, 1, 8)} ${fixed(s.max, 1, 8)} ${`${s.samples}/${s.missed}`.padStart(12)} ${fixed(s.readings, 0, 8)} ${fixed(s.sim * 100, 1, 8)}   ${s.runs}`);
    }
    console.log(`  ${'walNUT / raw'.padEnd(36)} ${fixed(walnut.cpu / raw.cpu, 2, 9)} ${fixed(walnut.p50 / raw.p50, 2, 8)} ${fixed(walnut.p99 / raw.p99, 2, 8)}`);
    console.log(`  walNUT poller CPU ${(walnut.cpu * 100).toFixed(1)} % of one core  (target <= ${TARGET_CPU * 100} %) ${verdict(walnut.cpu <= TARGET_CPU)}`);
    console.log(`  walNUT change→ONBATT p99 ${walnut.p99.toFixed(0)} ms at 1,000 UPSes  (for reference, latency.ts target <= ${POLL_MS + 50} ms) ${verdict(walnut.p99 <= POLL_MS + 50)}`);
  } finally {
    if (child.connected) ask({ type: 'stop' });
    const deadline = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(deadline);
  }
}

void main();
