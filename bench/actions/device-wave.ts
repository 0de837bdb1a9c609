/**
 * The wave of "Actions 1/2" with HTTP devices: 100 simulated Shelly plugs
 * (Gen2, digest auth, one simulator each) switched off, and 100 Proxmox guests
 * (one simulated node over HTTPS, a target per guest) shut down — through the
 * job runner (a jobs row per target, events, the bus, per-stage concurrency
 * 16) beside the same driver calls by plain parallel code at concurrency 16.
 * Each round switches everything back first. Medians and ratios (target ≤ 1.3).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Driver } from '../../src/actions/driver';
import { ProxmoxDriver } from '../../src/actions/proxmox/driver';
import { JobRunner } from '../../src/actions/runner';
import { shellyDriver } from '../../src/actions/shelly/driver';
import { EventBus } from '../../src/bus';
import { silentLogger } from '../../src/logger';
import type { Op, Target } from '../../src/policy/spec';
import { ProxmoxSimulator } from '../../src/proxmox/simulator';
import { ShellySimulator } from '../../src/shelly/simulator';
import { ensureSite } from '../../src/store/sites';
import { Store } from '../../src/store/store';
import { fixed, median, verdict } from '../lib/stats';

const COUNT = 100;
const CONCURRENCY = 16;
const ROUNDS = 3;
const TARGET_RATIO = 1.3;

async function pool(names: string[], work: (name: string) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < names.length) await work(names[next++]!);
  }));
}

interface Fleet {
  label: string;
  op: Op;
  targets: Map<string, Target>;
  driver(name: string): Driver;
  reset(): Promise<void>;
}

async function measure(fleet: Fleet, runner: JobRunner): Promise<{ ours: number; plain: number }> {
  const names = [...fleet.targets.keys()];
  const viaRunner = async (round: number): Promise<void> => {
    const results = await Promise.all(names.map((target) => runner.submit({ target, op: fleet.op, runId: `${fleet.label}-${round}`, stage: 'wave', timeout: 60_000 })));
    const failed = results.find((result) => result.state !== 'completed');
    if (failed) throw new Error(`${fleet.label}: ${failed.target}: ${failed.error}`);
  };
  const plain = (): Promise<void> => pool(names, async (name) => {
    const driver = fleet.driver(name);
    // As the runner does: one signal per job.
    const signal = AbortSignal.timeout(60_000);
    await driver.act(fleet.op, { timeoutMs: 60_000, force: false, signal });
    if (!(await driver.verify(fleet.op, { timeoutMs: 60_000, signal }))) throw new Error(`${name}: not verified`);
  });
  await fleet.reset();
  await plain(); // warm-up
  const oursMs: number[] = [];
  const plainMs: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    await fleet.reset();
    let start = performance.now();
    await viaRunner(round);
    oursMs.push(performance.now() - start);
    await fleet.reset();
    start = performance.now();
    await plain();
    plainMs.push(performance.now() - start);
  }
  return { ours: median(oursMs), plain: median(plainMs) };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walnut-bench-devices-'));
  const store = await Store.open({ settings: { dbPath: path.join(dir, 'walnut.db'), production: false, allowNetworkFs: false }, env: { WALNUT_DB_KEY: 'bench-key-'.padEnd(40, 'x') } });
  const siteId = (await ensureSite(store.knex, 'bench')).id;

  const plugs = await Promise.all(Array.from({ length: COUNT }, async () => {
    const simulator = new ShellySimulator({ gen: 2, password: 'pw' });
    const address = await simulator.start({ host: '127.0.0.1', port: 0 });
    return { simulator, host: `${address.host}:${address.port}` };
  }));
  const shellyTargets = new Map<string, Target>(plugs.map((plug, index) => [`plug-${index}`, { type: 'shelly', host: plug.host, credentials: { secretRef: 'shelly' } }]));
  const shelly: Fleet = {
    label: 'shelly', op: 'off', targets: shellyTargets,
    driver: (name) => shellyDriver(name, shellyTargets.get(name) as Extract<Target, { type: 'shelly' }>, () => Promise.resolve('admin:pw')),
    reset: () => Promise.resolve(plugs.forEach((plug) => plug.simulator.setOn(0, true))),
  };

  const proxmoxSim = new ProxmoxSimulator({ taskMs: 50, authFailureDelayMs: 0 });
  proxmoxSim.addNode('pve');
  proxmoxSim.addToken('bench@pve!wave', 'wave-secret');
  for (let index = 0; index < COUNT; index += 1) proxmoxSim.addGuest({ vmid: 1000 + index, type: index % 2 === 0 ? 'qemu' : 'lxc', node: 'pve', name: `guest-${index}`, status: 'running' });
  const pve = await proxmoxSim.start({ host: '127.0.0.1', port: 0 });
  const guestTargets = new Map<string, Target>(Array.from({ length: COUNT }, (_, index) => [`guest-${index}`, {
    type: 'proxmox', url: pve.url, token: { secretRef: 'pve' }, tls_fingerprint: pve.fingerprint256, node: 'pve', guests: { ids: [1000 + index] },
  }]));
  const proxmox: Fleet = {
    label: 'proxmox', op: 'shutdown', targets: guestTargets,
    // Tasks end after 50 ms here: poll at 100 ms rather than the 1 s meant for real guests.
    driver: (name) => new ProxmoxDriver(name, guestTargets.get(name) as Extract<Target, { type: 'proxmox' }>, () => Promise.resolve('bench@pve!wave=wave-secret'), 100),
    reset: () => Promise.resolve(Array.from({ length: COUNT }, (_, index) => proxmoxSim.setGuestRunning(1000 + index, true))).then(() => undefined),
  };

  const results: Array<[string, { ours: number; plain: number }]> = [];
  for (const fleet of [shelly, proxmox]) {
    const runner = new JobRunner({ knex: store.knex, siteId, bus: new EventBus(), logger: silentLogger(), concurrency: CONCURRENCY, targets: () => fleet.targets, driverFor: (name) => fleet.driver(name) });
    results.push([fleet.label, await measure(fleet, runner)]);
  }
  await Promise.all(plugs.map((plug) => plug.simulator.stop()));
  await proxmoxSim.stop();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });

  console.log(`device wave: ${COUNT} targets each, concurrency ${CONCURRENCY}, ${ROUNDS} interleaved rounds (median)`);
  for (const [label, { ours, plain }] of results) {
    const what = label === 'shelly' ? 'Shelly Gen2 plugs off (digest)' : 'Proxmox guests shutdown (HTTPS, tasks)';
    console.log(`  ${what}`);
    console.log(`    runner ${fixed(ours, 0, 7)} ms   plain ${fixed(plain, 0, 7)} ms   ratio ${fixed(ours / plain, 2, 5)}   target ≤ ${TARGET_RATIO}: ${verdict(ours / plain <= TARGET_RATIO)}`);
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
