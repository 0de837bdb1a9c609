/**
 * Demo mode (no NUT server configured): besides the simulated UPS, the hub
 * runs the simulated devices that rules/demo.yaml names (a Shelly and a Tapo
 * plug, a Proxmox node) on their loopback ports, and stores the secrets those
 * targets reference. A port already taken only loses that device, not the hub.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger';
import { addDemoCluster } from '../proxmox/simulator/demo';
import { ProxmoxSimulator } from '../proxmox/simulator/server';
import { ShellySimulator } from '../shelly/simulator';
import type { SecretStore } from '../store/secrets';
import { TapoSimulator } from '../tapo/simulator';
import { DEMO_PROXMOX_TLS } from './demo-tls';

/** The ports rules/demo.yaml names. */
export const DEMO_PORTS = { shelly: 18401, tapo: 18402, proxmox: 18403 } as const;
const HOST = '127.0.0.1';

interface Running {
  stop(): Promise<void>;
}

export async function startDemoDevices(secrets: SecretStore, logger: Logger): Promise<() => Promise<void>> {
  const running: Running[] = [];
  const password = randomBytes(9).toString('base64url');
  const attempt = async (device: string, start: () => Promise<Running>): Promise<void> => {
    try {
      running.push(await start());
    } catch (error) {
      logger.warn({ err: error, device }, `demo: the simulated ${device} could not start (its port is taken?): the demo policy will find it unreachable`);
    }
  };
  await attempt('Shelly plug', async () => {
    const shelly = new ShellySimulator({ gen: 2, password });
    await shelly.start({ host: HOST, port: DEMO_PORTS.shelly });
    await secrets.set('demo/shelly', `admin:${password}`);
    return shelly;
  });
  await attempt('Tapo plug', async () => {
    const email = 'demo@walnut.invalid';
    const tapo = new TapoSimulator({ email, password, transport: 'klap' });
    await tapo.start({ host: HOST, port: DEMO_PORTS.tapo });
    await secrets.set('demo/tapo', `${email}:${password}`);
    return tapo;
  });
  await attempt('Proxmox node', async () => {
    const proxmox = new ProxmoxSimulator({ tls: DEMO_PROXMOX_TLS });
    const cluster = addDemoCluster(proxmox);
    await proxmox.start({ host: HOST, port: DEMO_PORTS.proxmox });
    await secrets.set('demo/proxmox', `${cluster.tokenId}=${cluster.secret}`);
    return proxmox;
  });
  logger.info({ ports: DEMO_PORTS, running: running.length }, 'demo mode: simulated Shelly, Tapo and Proxmox devices for rules/demo.yaml');
  return async () => {
    await Promise.all(running.map((device) => device.stop()));
  };
}
