import type { Node } from 'node-red';

export interface NutServerCredentials {
  username?: string;
  password?: string;
}

/** The nut-server config node as the nodes that use it see it. */
export interface NutServerNode extends Node<NutServerCredentials> {
  /** `host:port`, as snapshots and events name their server. */
  address: string;
}
