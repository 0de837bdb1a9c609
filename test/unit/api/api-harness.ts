/** The API on a real encrypted store, mounted on its own express server on loopback, with a settable clock. */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import express from 'express';
import type { ApiContext } from '../../../src/api/context';
import { FailedAuthLimiter } from '../../../src/api/failed-auth-limiter';
import { API_ROOT, apiRouter } from '../../../src/api/router';
import { EventBus } from '../../../src/bus';
import { silentLogger } from '../../../src/logger';
import type { UpsSnapshot } from '../../../src/nut/snapshot';
import { PolicyService } from '../../../src/policy/policy-service';
import { RulesService } from '../../../src/policy/rules-service';
import { createApiKey } from '../../../src/store/api-keys';
import { ensureSite } from '../../../src/store/sites';
import type { Store } from '../../../src/store/store';
import { openTestStore } from '../../helpers/store';
import { tempDir } from '../../helpers/temp';

export const CANARY = 'canary-secret-value-7f3a9c';

export const RULES = `apiVersion: walnut/v1
kind: Targets
targets:
  nas:
    type: ssh
    host: 127.0.0.1
    port: 9
    user: root
    key: { secretRef: ssh/nas }
  rack-plug:
    type: shelly
    host: 127.0.0.1:9
    watts: 20
---
apiVersion: walnut/v1
kind: Policy
name: drill
ups: [ups]
triggers:
  any:
    - on_battery: { for: 1s }
stages:
  - name: cut
    timeout: 10s
    actions:
      - { target: rack-plug, op: off }
`;

export interface Harness {
  base: string;
  store: Store;
  siteId: number;
  key: string;
  clock: { now: number };
  snapshots: UpsSnapshot[];
  get: (route: string, key?: string | null) => Promise<{ status: number; body: unknown; headers: Headers }>;
  post: (route: string, key?: string | null) => Promise<{ status: number; body: unknown; headers: Headers }>;
  close: () => Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const { store } = await openTestStore();
  const site = await ensureSite(store.knex, 'test-site');
  await store.secrets().set('ssh/nas', CANARY);
  const rulesDir = tempDir();
  fs.writeFileSync(path.join(rulesDir, 'drill.yaml'), RULES);
  const bus = new EventBus();
  const rules = new RulesService({ dir: rulesDir, bus, logger: silentLogger(), store: { knex: store.knex, siteId: site.id } });
  await rules.start();
  const clock = { now: Date.UTC(2026, 10, 22, 12) };
  const policies = new PolicyService({ bus, rules, logger: silentLogger(), store: { knex: store.knex, siteId: site.id }, now: () => clock.now });
  const snapshots: UpsSnapshot[] = [];
  const context: ApiContext = {
    knex: store.knex, siteId: site.id, site: 'test-site', version: '0.0.0-test', startedAt: clock.now - 5_000,
    nut: { latest: () => snapshots, servers: () => [...new Set(snapshots.map((snapshot) => snapshot.server))] },
    policies, rules, samplesRetentionHours: 168,
    limiter: new FailedAuthLimiter({ now: () => clock.now }), now: () => clock.now,
  };
  const app = express();
  app.use(API_ROOT, apiRouter(context, silentLogger()));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${API_ROOT}`;
  const { key } = await createApiKey(store.knex, 'tests', 'cli:test', site.id);
  const call = (method: string) => async (route: string, bearer: string | null = key) => {
    const response = await fetch(`${base}${route}`, { method, headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` } });
    return { status: response.status, body: (await response.json()) as unknown, headers: response.headers };
  };
  return {
    base, store, siteId: site.id, key, clock, snapshots, get: call('GET'), post: call('POST'),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await policies.stop();
      await rules.stop();
      await store.close();
    },
  };
}
