/**
 * Home Assistant publishing at fleet scale: 500 UPSes × 20 variables, each UPS
 * read once a second, through the hub's own publish path (bus → HaBridge →
 * broker) with one subscriber on every state topic. Run once through the
 * embedded Aedes broker and once through Debian's mosquitto, in this process
 * and this run: CPU share of one core (hub process, plus mosquitto's own
 * process) and end-to-end latency (snapshot emitted → subscriber has it).
 * Both brokers run without Nagle's algorithm (the hub sets TCP_NODELAY on its
 * sockets; mosquitto gets `set_tcp_nodelay true`): with it, small state
 * packets wait for delayed ACKs and p50 grows from under 1 ms to 10–20 ms.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import mqtt from 'mqtt';
import { EventBus } from '../../src/bus';
import { silentLogger } from '../../src/logger';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/mqtt/broker';
import { ensureBrokerAccounts, HOME_ASSISTANT_USER, HUB_USER } from '../../src/mqtt/credentials';
import { HaBridge } from '../../src/mqtt/ha-bridge';
import { Topics } from '../../src/mqtt/topics';
import { NutService } from '../../src/nut/service';
import { snapshotFromVars } from '../../src/nut/snapshot';
import { PolicyService } from '../../src/policy/policy-service';
import { RulesService } from '../../src/policy/rules-service';
import { ensureSite } from '../../src/store/sites';
import { Store } from '../../src/store/store';
import { type RealMosquitto, startMosquitto } from '../lib/mosquitto';
import { fixed, percentile, sleep, wallMs } from '../lib/stats';

const UPS_COUNT = 500;
const VARIABLES = 20;
const WARMUP_MS = 5_000;
const MEASURE_MS = 15_000;
const TICK_MS = 10;

interface Figures {
  label: string;
  hubCpu: number;
  brokerCpu: number;
  received: number;
  expected: number;
  p50: number;
  p99: number;
}

/** 20 variables HA has sensors for, changing every reading, plus the send time for the latency. */
function readingOf(index: number, sentAt: number): Record<string, string> {
  const wobble = (base: number, spread: number): string => (base + Math.random() * spread).toFixed(1);
  return {
    'device.mfr': 'Bench', 'device.model': 'B1500', 'device.serial': `B${index.toString().padStart(5, '0')}`,
    'ups.status': 'OL CHRG', 'ups.load': wobble(20, 10), 'ups.realpower': wobble(200, 50), 'ups.temperature': wobble(30, 2),
    'battery.charge': wobble(90, 10), 'battery.runtime': wobble(1500, 200), 'battery.voltage': wobble(27, 0.5), 'battery.temperature': wobble(29, 2),
    'input.voltage': wobble(228, 4), 'input.frequency': wobble(49.9, 0.2), 'input.current': wobble(1, 0.5), 'output.voltage': wobble(229, 2),
    'output.frequency': wobble(50, 0.1), 'output.current': wobble(1, 0.5), 'output.power': wobble(250, 30), 'ups.power': wobble(260, 30),
    'bench.sent_at': sentAt.toFixed(3),
  };
}

async function run(label: string, store: Store, siteId: number, connection: { url: string; username: string; password: string }, subscriber: { username: string; password: string }, brokerCpu: () => number): Promise<Figures> {
  const bus = new EventBus();
  const topics = new Topics('walnut', 'bench', 'homeassistant');
  const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'walnut-bench-rules-'));
  const rules = new RulesService({ dir: rulesDir, bus, logger: silentLogger(), store: { knex: store.knex, siteId } });
  await rules.start();
  const policies = new PolicyService({ bus, rules, logger: silentLogger() });
  const nut = new NutService(bus, silentLogger());
  const bridge = new HaBridge({
    bus, rules, policies, nut, store: { knex: store.knex, siteId }, topics, version: 'bench',
    connection, subscribeToCommands: false, logger: silentLogger(),
  });
  await bridge.start();
  await bridge.connected();

  let measuring = false;
  const latencies: number[] = [];
  const client = await mqtt.connectAsync(connection.url, { ...subscriber, reconnectPeriod: 0 });
  client.on('message', (topic, payload) => {
    if (!measuring || !topic.endsWith('/state')) return;
    const sentAt = Number((JSON.parse(payload.toString()) as { vars: Record<string, string> }).vars['bench.sent_at']);
    latencies.push(wallMs() - sentAt);
  });
  await client.subscribeAsync('walnut/bench/ups/+/state', { qos: 0 });

  // Every UPS once a second, spread evenly over the second as pollers would be.
  const perTick = (UPS_COUNT * TICK_MS) / 1000;
  let next = 0;
  let emitted = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < perTick; i += 1) {
      const index = next++ % UPS_COUNT;
      const vars = readingOf(index, wallMs());
      bus.emitUpsSnapshot(snapshotFromVars('bench:3493', `ups${index}`, vars, Date.now()));
      if (measuring) emitted += 1;
    }
  }, TICK_MS);

  await sleep(WARMUP_MS); // discovery for 500 UPSes goes out first
  measuring = true;
  const cpuBefore = process.cpuUsage();
  const brokerBefore = brokerCpu();
  const started = wallMs();
  await sleep(MEASURE_MS);
  const elapsed = wallMs() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const brokerUsed = brokerCpu() - brokerBefore;
  measuring = false;
  clearInterval(timer);
  await client.endAsync();
  await bridge.stop();
  await policies.stop();
  await rules.stop();
  return {
    label,
    hubCpu: ((cpu.user + cpu.system) / 1000 / elapsed) * 100,
    brokerCpu: ((brokerUsed * 1000) / elapsed) * 100,
    received: latencies.length,
    expected: emitted,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walnut-bench-mqtt-'));
  const store = await Store.open({ settings: { dbPath: path.join(dir, 'walnut.db'), production: false, allowNetworkFs: false }, env: { WALNUT_DB_KEY: 'bench-key-bench-key-bench-key-bench-key' } });
  const siteId = (await ensureSite(store.knex, 'bench')).id;
  const users = (await ensureBrokerAccounts(store.secrets())).users;
  const hubLogin = { username: HUB_USER, password: users.get(HUB_USER)! };
  const haLogin = { username: HOME_ASSISTANT_USER, password: users.get(HOME_ASSISTANT_USER)! };

  let aedes: EmbeddedBroker | undefined;
  let mosquitto: RealMosquitto | undefined;
  const figures: Figures[] = [];
  try {
    aedes = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, users, topics: new Topics('walnut', 'bench', 'homeassistant') }, silentLogger());
    figures.push(await run('Aedes (embedded)', store, siteId, { url: `mqtt://127.0.0.1:${aedes.port}`, ...hubLogin }, haLogin, () => 0));
    await aedes.close();
    aedes = undefined;
    mosquitto = await startMosquitto({ users: { [HUB_USER]: hubLogin.password, [HOME_ASSISTANT_USER]: haLogin.password } });
    const broker = mosquitto;
    figures.push(await run('mosquitto', store, siteId, { url: broker.url, ...hubLogin }, haLogin, () => broker.cpuSeconds()));
  } finally {
    await aedes?.close();
    await mosquitto?.stop();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  console.log(`MQTT publish path: ${UPS_COUNT} UPSes × ${VARIABLES} variables at 1 Hz, one subscriber, ${MEASURE_MS / 1000} s measured`);
  console.log('broker             hub CPU %  broker CPU %  total CPU %  delivered        p50 ms   p99 ms');
  for (const f of figures) {
    console.log(`${f.label.padEnd(18)} ${fixed(f.hubCpu, 1, 9)}  ${fixed(f.brokerCpu, 1, 12)}  ${fixed(f.hubCpu + f.brokerCpu, 1, 11)}  ${`${f.received}/${f.expected}`.padStart(13)}  ${fixed(f.p50, 2, 7)}  ${fixed(f.p99, 2, 7)}`);
  }
  const [ours, baseline] = figures as [Figures, Figures];
  console.log(`ratio Aedes / mosquitto: total CPU ${((ours.hubCpu + ours.brokerCpu) / (baseline.hubCpu + baseline.brokerCpu)).toFixed(2)}, p99 latency ${(ours.p99 / baseline.p99).toFixed(2)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
