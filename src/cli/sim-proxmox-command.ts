import { parsePort, type SimControl, untilStopped } from './sim-common';
import { addDemoCluster } from '../proxmox/simulator/demo';
import { ProxmoxSimulator } from '../proxmox/simulator/server';
import { println } from './common';

export interface SimProxmoxOptions {
  host?: string;
  port?: string;
}

export type SimProxmoxControl = SimControl;



/**
 * `walnut sim proxmox`: a fake Proxmox VE API with a demo node and guests and a
 * fresh API token, until Ctrl-C. Its self-signed certificate is new each run, so
 * the fingerprint to pin is printed.
 */
export async function simProxmoxCommand(options: SimProxmoxOptions, control: SimProxmoxControl = {}): Promise<void> {
  const print = control.print ?? println;
  const host = options.host ?? '127.0.0.1';
  const port = parsePort(options.port, 8006);

  const sim = new ProxmoxSimulator();
  const demo = addDemoCluster(sim);
  const address = await sim.start({ host, port });
  try {
    for (const guest of demo.guests) {
      const state = guest.paused ? 'paused' : guest.status;
      const extra = [guest.ha ? 'HA-managed' : '', guest.tags?.length ? `tags ${guest.tags.join(';')}` : ''].filter((part) => part !== '');
      print(`guest: ${guest.type} ${guest.vmid} ${guest.name} on ${guest.node}, ${state}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`);
    }
    print(`API token id: ${demo.tokenId}`);
    print(`API token secret: ${demo.secret}`);
    print(`certificate SHA-256 fingerprint: ${address.fingerprint256}`);
    print(`try: curl -k -H 'Authorization: PVEAPIToken=${demo.tokenId}=${demo.secret}' '${address.url}/api2/json/cluster/resources?type=vm'`);
    print(`Proxmox VE simulator listening on ${address.url}`);
    await untilStopped(control.stop);
  } finally {
    await sim.stop();
  }
}
