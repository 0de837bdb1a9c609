import type { NodeDef } from 'node-red';
import { migrateNodeConfig, type NodeConfig } from '../../src/flows/node-migrations';

/**
 * A node's config at its current version (configs from older flows are
 * migrated step by step). Migrated in place: Node-RED hangs its own hidden
 * properties (the flow the node runs in) on this very object.
 */
export function nodeConfig<T extends NodeDef>(def: T): T {
  return Object.assign(def, migrateNodeConfig({ ...def } as unknown as NodeConfig));
}
