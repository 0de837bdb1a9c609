/**
 * Node-RED's storage module, on the store: flows and credentials as
 * revisions (FlowStore), settings, sessions and the library in
 * node_red_state. Nothing of it is written to files, so no credential is ever
 * on disk in clear. The first load seeds the default flow.
 */
import type { FlowNode, FlowRevision, FlowStore } from './flow-store';
import { migrateFlows, type NodeConfig } from './node-migrations';
import type { NodeRedState } from './node-red-state';

export interface Seed {
  flows: FlowNode[];
  credentials: Record<string, unknown> | null;
  message: string;
}

export interface FlowStorageOptions {
  flows: FlowStore;
  state: NodeRedState;
  seed: () => Promise<Seed>;
  /** The revision Node-RED runs now (loaded or deployed). */
  onRevision?: (revision: FlowRevision) => void;
}

/** The subset of Node-RED's storage API a module provides (runtime/lib/storage/index.js). */
export interface NodeRedStorageModule {
  init(): Promise<void>;
  getFlows(): Promise<FlowNode[]>;
  saveFlows(flows: FlowNode[], user?: { username?: string }): Promise<void>;
  getCredentials(): Promise<Record<string, unknown>>;
  saveCredentials(credentials: Record<string, unknown>): Promise<void>;
  getSettings(): Promise<Record<string, unknown>>;
  saveSettings(settings: Record<string, unknown>): Promise<void>;
  getSessions(): Promise<Record<string, unknown>>;
  saveSessions(sessions: Record<string, unknown>): Promise<void>;
  getLibraryEntry(type: string, path: string): Promise<unknown>;
  saveLibraryEntry(type: string, path: string, meta: Record<string, unknown>, body: string): Promise<void>;
}

interface LibraryEntry {
  meta: Record<string, unknown>;
  body: string;
}

export function flowStorageModule(options: FlowStorageOptions): NodeRedStorageModule {
  const { flows, state } = options;
  let credentials: Record<string, unknown> | null = null;
  const loaded = (revision: FlowRevision): FlowNode[] => {
    credentials = revision.credentials;
    options.onRevision?.(revision);
    return migrateFlows(revision.flows as NodeConfig[]) as FlowNode[];
  };
  const libraryKey = (type: string, path: string): string => `library:${type}:${path.replace(/^\/+/, '')}`;
  return {
    init: () => Promise.resolve(),
    async getFlows() {
      const latest = await flows.latest();
      if (latest) return loaded(latest);
      const seed = await options.seed();
      return loaded(await flows.save({ ...seed, actor: 'walnut' }));
    },
    async saveFlows(deployed, user) {
      const actor = user?.username ? `editor:${user.username}` : 'editor';
      options.onRevision?.(await flows.save({ flows: deployed, credentials, actor }));
    },
    getCredentials: () => Promise.resolve(credentials ?? {}),
    saveCredentials(given) {
      // Node-RED saves credentials just before the flows of the same deploy: they go into that revision.
      credentials = given;
      return Promise.resolve();
    },
    getSettings: () => state.get('settings', {}),
    saveSettings: (settings) => state.set('settings', settings),
    getSessions: () => state.get('sealed:sessions', {}),
    saveSessions: (sessions) => state.set('sealed:sessions', sessions),
    async getLibraryEntry(type, path) {
      const entry = await state.get<LibraryEntry | null>(libraryKey(type, path), null);
      if (entry) return entry.body;
      // A folder: its subfolders' names, then its entries' metadata.
      const prefix = libraryKey(type, path.endsWith('/') || path === '' ? path : `${path}/`);
      const folders = new Set<string>();
      const files: Array<Record<string, unknown>> = [];
      for (const key of await state.keys(prefix)) {
        const rest = key.slice(prefix.length);
        const slash = rest.indexOf('/');
        if (slash >= 0) folders.add(rest.slice(0, slash));
        else files.push({ ...(await state.get<LibraryEntry>(key, { meta: {}, body: '' })).meta, fn: rest });
      }
      if (folders.size === 0 && files.length === 0 && path !== '') throw new Error(`Library Entry not found ${path}`);
      return [...[...folders].sort(), ...files];
    },
    saveLibraryEntry: (type, path, meta, body) => {
      if (path.split('/').includes('..')) return Promise.reject(new Error(`a library path may not climb out: ${path}`));
      return state.set(libraryKey(type, type === 'flows' && !path.endsWith('.json') ? `${path}.json` : path), { meta, body });
    },
  };
}
