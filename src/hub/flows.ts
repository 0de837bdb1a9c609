/**
 * The hub's flows: Node-RED's storage on the store (revisions), seeded with
 * the default flow on first start, and a watcher that loads revisions written
 * from the command line (a rollback).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_ROOT, type WalnutSettings } from '../../settings';
import type { Logger } from '../logger';
import { FlowStore } from '../flows/flow-store';
import { flowStorageModule, type NodeRedStorageModule } from '../flows/flow-storage';
import { NodeRedState } from '../flows/node-red-state';
import { RevisionWatcher } from '../flows/revision-watcher';
import { defaultFlowFile, seedDefaultFlow } from '../flows/seed';
import type { HubConnectionOptions } from '../mqtt/connection';
import type { RulesService } from '../policy/rules-service';
import type { Store } from '../store/store';

export interface HubFlowsOptions {
  store: Store;
  siteId: number;
  settings: WalnutSettings;
  credentialSecret: string;
  rules: RulesService;
  /** The NUT server the default flow watches: the first configured, else the built-in simulator. */
  nut: { host: string; port: number; username?: string; password?: string };
  mqtt: Omit<HubConnectionOptions, 'clientId' | 'statusTopic'>;
  logger: Logger;
}

/**
 * Node-RED's user folder holds no flows, credentials or settings here (they
 * are in the store), but Node-RED reads a package.json from it at start.
 */
export function prepareUserDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const manifest = path.join(dir, 'package.json');
  if (!fs.existsSync(manifest)) fs.writeFileSync(manifest, `${JSON.stringify({ name: 'walnut-node-red', description: 'walNUT keeps flows in its store', private: true }, null, 2)}\n`, { mode: 0o600 });
}

/** The policy the default flow runs: `demo` when the rules have it, else the first one. */
function defaultPolicy(rules: RulesService): string {
  const names = [...rules.current().policies.keys()];
  return names.includes('demo') ? 'demo' : names[0] ?? '';
}

export function hubFlows(options: HubFlowsOptions): { storage: NodeRedStorageModule; watcher: RevisionWatcher; attach(reload: () => Promise<void>): void } {
  const flows = new FlowStore(options.store.knex, options.siteId);
  const state = new NodeRedState(options.store.knex, options.siteId, options.store.deriveKey('walnut/node-red-state/v1'));
  let reload: () => Promise<void> = () => Promise.resolve();
  const watcher = new RevisionWatcher(flows, () => reload(), options.logger);
  const storage = flowStorageModule({
    flows, state,
    seed: () => {
      const broker = new URL(options.mqtt.url);
      return Promise.resolve(seedDefaultFlow({
        file: defaultFlowFile(PACKAGE_ROOT), nut: options.nut, policy: defaultPolicy(options.rules), credentialSecret: options.credentialSecret,
        mqtt: {
          host: broker.hostname, port: Number(broker.port || 1883),
          ...(options.mqtt.username === undefined ? {} : { username: options.mqtt.username }),
          ...(options.mqtt.password === undefined ? {} : { password: options.mqtt.password }),
        },
      }));
    },
    onRevision: (revision) => watcher.runs(revision.version),
  });
  return { storage, watcher, attach: (load) => { reload = load; } };
}
