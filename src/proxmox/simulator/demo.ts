import { randomUUID } from 'node:crypto';
import type { ProxmoxSimulator } from './server';
import type { SimGuest } from './world';

export const DEMO_TOKEN_ID = 'root@pam!walnut';

export interface DemoCluster {
  tokenId: string;
  secret: string;
  guests: SimGuest[];
}

/** One node 'pve' with a mix of VMs and a CT: plain, tagged, HA-managed and paused. */
export function demoGuests(): SimGuest[] {
  return [
    { vmid: 100, type: 'qemu', node: 'pve', name: 'walnut', status: 'running', agent: true },
    { vmid: 101, type: 'qemu', node: 'pve', name: 'web', status: 'running', tags: ['lab'] },
    { vmid: 102, type: 'qemu', node: 'pve', name: 'ha-db', status: 'running', ha: true },
    { vmid: 103, type: 'qemu', node: 'pve', name: 'paused', status: 'running', paused: true },
    { vmid: 200, type: 'lxc', node: 'pve', name: 'dns', status: 'running' },
  ];
}

/** Adds the demo cluster and an all-privileges API token (a random secret unless given). */
export function addDemoCluster(sim: ProxmoxSimulator, secret: string = randomUUID()): DemoCluster {
  sim.addNode('pve');
  const guests = demoGuests();
  for (const guest of guests) sim.addGuest(guest);
  sim.addToken(DEMO_TOKEN_ID, secret);
  return { tokenId: DEMO_TOKEN_ID, secret, guests };
}
