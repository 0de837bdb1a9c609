import type { Node, NodeAPI, NodeDef } from 'node-red';
import type { NutEvent } from '../../src/nut/events';
import type { UpsSnapshot } from '../../src/nut/snapshot';
import type { NutServerNode } from '../shared/nut-server-node';
import { hubServices } from '../shared/services';
import { upsStatus } from '../shared/status';
import { nodeConfig } from '../shared/config';

interface NutUpsDef extends NodeDef {
  server: string;
  ups: string;
  output: 'change' | 'poll';
}

/** What counts as a change worth a message: status, data state and every variable. */
function fingerprint(snapshot: UpsSnapshot): string {
  return `${snapshot.comm}|${JSON.stringify(snapshot.vars)}`;
}

/**
 * Input node: readings of one UPS (or all of a server's) as messages —
 * `msg.topic` the UPS name, `msg.payload` the snapshot — on change or on every
 * poll, and each event (ONBATT, LOWBATT, COMMBAD…) as a message with `msg.event`.
 */
export = function register(RED: NodeAPI): void {
  function NutUps(this: Node, def: NutUpsDef): void {
    def = nodeConfig(def);
    RED.nodes.createNode(this, def);
    const server = RED.nodes.getNode(def.server) as NutServerNode | null;
    if (server === null) {
      this.status({ fill: 'red', shape: 'ring', text: 'no NUT server configured' });
      this.error('choose a NUT server for this node');
      return;
    }
    const upsName = def.ups.trim();
    const watches = (item: { server: string; ups: string }): boolean => item.server === server.address && (upsName === '' || item.ups === upsName);
    const { bus } = hubServices(RED);
    const last = new Map<string, string>();
    const latest = new Map<string, UpsSnapshot>();
    this.status({ fill: 'grey', shape: 'ring', text: `waiting for ${server.address}` });

    const offSnapshot = bus.onUpsSnapshot((snapshot) => {
      if (!watches(snapshot)) return;
      latest.set(snapshot.ups, snapshot);
      this.status(upsStatus(snapshot));
      const print = fingerprint(snapshot);
      if (def.output !== 'poll' && last.get(snapshot.ups) === print) return;
      last.set(snapshot.ups, print);
      this.send({ topic: snapshot.ups, payload: snapshot });
    });
    const offEvent = bus.onUpsEvent((event: NutEvent) => {
      if (!watches(event)) return;
      this.send({ topic: event.ups, payload: latest.get(event.ups) ?? null, event });
    });
    this.on('close', () => {
      offSnapshot();
      offEvent();
    });
  }

  RED.nodes.registerType('nut-ups', NutUps);
};
