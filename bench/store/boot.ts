/**
 * Time from spawn to ready (HTTP answering and the MQTT broker accepting a
 * client) for the built hub on an existing database, beside the simplest
 * process doing the same serving work: a bare HTTP server and an Aedes broker.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import mqtt from 'mqtt';
import { freePort, median, verdict } from '../lib/stats';

const ROUNDS = 5;
const DIST = path.resolve(__dirname, '..', '..');
const TARGET_MS = 3000;

const BASELINE = `
const http = require('node:http'); const net = require('node:net'); const { Aedes } = require('aedes');
(async () => {
  const aedes = await Aedes.createBroker();
  net.createServer(aedes.handle).listen(Number(process.env.MQTT_PORT), '127.0.0.1');
  http.createServer((req, res) => res.end('ok')).listen(Number(process.env.HTTP_PORT), '127.0.0.1');
})();`;

async function until(probe: () => Promise<boolean>, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('not ready before the deadline');
}

const httpAnswers = (port: number) => async (): Promise<boolean> => (await fetch(`http://127.0.0.1:${port}/`)).status === 200;
const brokerAccepts = (port: number) => async (): Promise<boolean> => {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 1000 });
  await client.endAsync();
  return true;
};

async function timeToReady(start: (httpPort: number, mqttPort: number) => ChildProcess): Promise<number> {
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const began = performance.now();
  const child = start(httpPort, mqttPort);
  try {
    const deadline = Date.now() + 30_000;
    await Promise.all([until(httpAnswers(httpPort), deadline), until(brokerAccepts(mqttPort), deadline)]);
    return performance.now() - began;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'walnut-boot-'));
  try {
    const env = { ...process.env, WALNUT_DATA_DIR: dataDir, WALNUT_LOG_LEVEL: 'warn' };
    const init = spawnSync(process.execPath, [path.join(DIST, 'src/cli/walnut-db.js'), 'init', '--demo'], { env });
    if (init.status !== 0) throw new Error(`walnut-db init failed: ${init.stderr.toString()}`);
    const hub = (httpPort: number, mqttPort: number): ChildProcess =>
      spawn(process.execPath, [path.join(DIST, 'src/hub/main.js')], { env: { ...env, WALNUT_HTTP_PORT: String(httpPort), WALNUT_MQTT_PORT: String(mqttPort) }, stdio: 'ignore' });
    const baseline = (httpPort: number, mqttPort: number): ChildProcess =>
      spawn(process.execPath, ['-e', BASELINE], { cwd: path.resolve(DIST, '..'), env: { ...process.env, HTTP_PORT: String(httpPort), MQTT_PORT: String(mqttPort) }, stdio: 'ignore' });
    const hubTimes: number[] = [];
    const baseTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      hubTimes.push(await timeToReady(hub));
      baseTimes.push(await timeToReady(baseline));
    }
    const hubMs = median(hubTimes);
    const baseMs = median(baseTimes);
    console.log(`hub boot benchmark: spawn to ready (HTTP 200 and MQTT CONNACK), median of ${ROUNDS}, existing database with demo data`);
    console.log(`  built hub (store + broker + Node-RED)  ${hubMs.toFixed(0).padStart(6)} ms   runs: ${hubTimes.map((t) => t.toFixed(0)).join(', ')}`);
    console.log(`  baseline (bare HTTP + Aedes)           ${baseMs.toFixed(0).padStart(6)} ms   runs: ${baseTimes.map((t) => t.toFixed(0)).join(', ')}`);
    console.log(`  hub / baseline ${(hubMs / baseMs).toFixed(2)};  hub ${hubMs.toFixed(0)} ms (target <= ${TARGET_MS} ms) ${verdict(hubMs <= TARGET_MS)}`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
