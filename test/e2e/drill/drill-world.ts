/**
 * The outage drill's world: a real upsd (dummy-ups), a real sshd, the Shelly,
 * Tapo and Proxmox simulators over real HTTP(S), a rules folder with an armed
 * three-stage policy, and a hub spawned as `npm start` runs it, watched by a
 * Home Assistant MQTT client on the embedded broker.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ProxmoxSimulator } from '../../../src/proxmox/simulator';
import { ShellySimulator } from '../../../src/shelly/simulator';
import { TapoSimulator } from '../../../src/tapo/simulator';
import { spawnHub, type RunningHub } from '../../helpers/hub';
import { recordTopics, type MqttRecorder } from '../../helpers/mqtt';
import { exited, walnut } from '../../helpers/process';
import { startRealSshd, type RealSshd } from '../../helpers/sshd';
import { tempDir } from '../../helpers/temp';
import { DEFAULT_DEVICE, startRealUpsd, type RealUpsd } from '../../helpers/upsd';
import { drillRules, type DrillTiming } from './drill-rules';

export const GUEST = 101;

export interface DrillWorld {
  upsd: RealUpsd;
  sshd: RealSshd;
  shelly: ShellySimulator;
  tapo: TapoSimulator;
  proxmox: ProxmoxSimulator;
  env: Record<string, string>;
  hub: RunningHub;
  /** Home Assistant's view: every walnut/# message since the (last) hub start. */
  ha: MqttRecorder;
  onBattery(): void;
  onMains(): void;
  /** SIGKILLs the hub and starts a new one on the same data folder (and a fresh HA client on its broker). */
  killAndRestartHub(): Promise<void>;
  stop(): Promise<void>;
}

export const ON_BATTERY = { ...DEFAULT_DEVICE, 'ups.status': 'OB DISCHRG', 'battery.charge': '95' };

async function startHaClient(env: Record<string, string>, hub: RunningHub): Promise<MqttRecorder> {
  const shown = await walnut(['mqtt', 'credentials', '--json'], env);
  assert.equal(shown.code, 0, shown.stderr);
  const { username, password } = JSON.parse(shown.stdout) as { username: string; password: string };
  assert.equal(username, 'homeassistant');
  return recordTopics(hub.mqtt, ['walnut/#'], { username, password });
}

export interface DrillOptions {
  guestShutdownMs?: number;
  /** A fleet database for the hub (DATABASE_URL) instead of its encrypted SQLite file. */
  databaseUrl?: string;
}

export async function startDrillWorld(timing: DrillTiming, options: DrillOptions = {}): Promise<DrillWorld> {
  const upsd = await startRealUpsd();
  const sshd = await startRealSshd().catch(async (error: unknown) => {
    await upsd.stop();
    throw error;
  });
  const shelly = new ShellySimulator({ gen: 1 });
  const lamp = await shelly.start({ host: '127.0.0.1', port: 0 });
  const tapo = new TapoSimulator({ email: 'me@example.com', password: 'tapo-pw', transport: 'klap' });
  const heater = await tapo.start({ host: '127.0.0.1', port: 0 });
  const proxmox = new ProxmoxSimulator({ taskMs: 100, authFailureDelayMs: 0 });
  proxmox.addNode('pve');
  proxmox.addToken('walnut@pve!drill', 'pve-secret');
  proxmox.addGuest({ vmid: GUEST, type: 'qemu', node: 'pve', name: 'web', status: 'running', shutdownTakesMs: options.guestShutdownMs ?? 100 });
  const pve = await proxmox.start({ host: '127.0.0.1', port: 0 });
  const stopPeers = (): Promise<unknown> => Promise.all([shelly.stop(), tapo.stop(), proxmox.stop(), sshd.stop(), upsd.stop()]);
  try {
    return await startHub(timing, options, { upsd, sshd, shelly, tapo, proxmox }, { lamp: `${lamp.host}:${lamp.port}`, heater: `${heater.host}:${heater.port}`, pveUrl: pve.url, pveFingerprint: pve.fingerprint256 }, stopPeers);
  } catch (error) {
    await stopPeers();
    throw error;
  }
}

type Peers = Pick<DrillWorld, 'upsd' | 'sshd' | 'shelly' | 'tapo' | 'proxmox'>;

/** The rules folder, the secrets and the hub on the peers already running. */
async function startHub(timing: DrillTiming, options: DrillOptions, peers: Peers, devices: { lamp: string; heater: string; pveUrl: string; pveFingerprint: string }, stopPeers: () => Promise<unknown>): Promise<DrillWorld> {
  const { upsd, sshd } = peers;
  const dataDir = tempDir('walnut-drill-');
  const rulesDir = path.join(dataDir, 'rules');
  fs.mkdirSync(rulesDir);
  fs.writeFileSync(path.join(rulesDir, 'drill.yaml'), drillRules(timing, {
    ...devices,
    sshPort: sshd.port, sshFingerprint: sshd.hostFingerprint, sshCommand: sshd.shutdownCommand,
  }));
  const env = {
    WALNUT_DATA_DIR: dataDir, WALNUT_RULES_DIR: rulesDir,
    WALNUT_NUT_SERVERS: `admin@${upsd.host}:${upsd.port}`, WALNUT_NUT_RETRY_DELAY_MS: '100',
    ...(options.databaseUrl === undefined ? {} : { DATABASE_URL: options.databaseUrl }),
  };
  const secrets: Array<[string, string]> = [
    ['nut/admin', 'adminpw'], ['box-key', sshd.clientKey], ['tapo', 'me@example.com:tapo-pw'], ['pve-token', 'walnut@pve!drill=pve-secret'],
  ];
  for (const [name, value] of secrets) {
    const set = await walnut(['secrets', 'set', name, '--stdin'], env, value);
    assert.equal(set.code, 0, set.stderr);
  }

  const hub = await spawnHub(env);
  const ha = await startHaClient(env, hub).catch(async (error: unknown) => {
    hub.child.kill('SIGKILL');
    await exited(hub.child);
    throw error;
  });
  const world: DrillWorld = {
    ...peers, env, hub, ha,
    onBattery: () => upsd.writeDevice(ON_BATTERY),
    onMains: () => upsd.writeDevice(DEFAULT_DEVICE),
    async killAndRestartHub() {
      world.ha.client.end(true);
      world.hub.child.kill('SIGKILL');
      await exited(world.hub.child);
      world.hub = await spawnHub(env);
      world.ha = await startHaClient(env, world.hub);
    },
    async stop() {
      world.ha.client.end(true);
      if (world.hub.child.exitCode === null && world.hub.child.signalCode === null) {
        world.hub.child.kill('SIGTERM');
        await exited(world.hub.child);
      }
      await stopPeers();
    },
  };
  return world;
}
