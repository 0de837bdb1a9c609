import type { NodeAPI, NodeDef } from 'node-red';
import { reconnectPolicy } from '../../src/nut/backoff';
import { nutServerConfig, serverAddress } from '../../src/nut/server-config';
import type { PollerHandle } from '../../src/nut/service';
import type { NutServerCredentials, NutServerNode } from '../shared/nut-server-node';
import { hubServices } from '../shared/services';
import { nodeConfig } from '../shared/config';

interface NutServerDef extends NodeDef {
  host: string;
  port: string | number;
  pollInterval: string | number;
  tls: boolean;
  tlsVerify: boolean;
  retryDelay?: string | number;
  retries?: string | number;
  noComm?: string | number;
}


/** Config node: one upsd server. Creating it starts (or shares) the hub's poller for it; closing releases it. */
export = function register(RED: NodeAPI): void {
  function NutServer(this: NutServerNode, def: NutServerDef): void {
    def = nodeConfig(def);
    RED.nodes.createNode(this, def);
    const username = this.credentials.username?.trim() || undefined;
    const config = nutServerConfig({
      host: def.host.trim(),
      port: Number(def.port) || 3493,
      pollIntervalMs: Number(def.pollInterval) || 1000,
      noCommAfterMs: (Number(def.noComm) || 300) * 1000,
      reconnect: reconnectPolicy(Number(def.retryDelay) || 1000, Number(def.retries) || 0),
      ...(username === undefined ? {} : { username, password: this.credentials.password ?? '' }),
      ...(def.tls ? { tls: { rejectUnauthorized: def.tlsVerify !== false } } : {}),
    });
    this.address = serverAddress(config);
    let handle: PollerHandle | undefined = hubServices(RED).nut.acquire(config);
    this.on('close', (done: () => void) => {
      const releasing = handle?.release();
      handle = undefined;
      void (releasing ?? Promise.resolve()).then(done, done);
    });
  }

  RED.nodes.registerType<NutServerNode, NutServerDef, unknown, NutServerCredentials>('nut-server', NutServer, {
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  });
};
