import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { nodeRedSettings, WALNUT_VERSION, type WalnutSettings } from '../../settings';
import { storeBackedRunner } from '../actions/hub-runner';
import { FailedAuthLimiter } from '../api/failed-auth-limiter';
import { API_ROOT, apiRouter } from '../api/router';
import { ArchiveService } from '../archive/archive-service';
import { renderMetrics } from '../archive/exporters/prometheus-metrics';
import { EventBus } from '../bus';
import { HubStartError } from '../errors';
import type { Logger } from '../logger';
import type { EmbeddedBroker } from '../mqtt/broker';
import { redactUrl } from '../mqtt/connection';
import { HaBridge } from '../mqtt/ha-bridge';
import { Topics } from '../mqtt/topics';
import { connectionTo, startBroker } from './mqtt';
import { reconnectPolicy } from '../nut/backoff';
import { type BuiltInSimulator, startBuiltInSimulator } from '../nut/builtin-simulator';
import { nutServerConfig } from '../nut/server-config';
import { NutService } from '../nut/service';
import { PolicyService } from '../policy/policy-service';
import { RulesService } from '../policy/rules-service';
import { RetentionService } from '../store/retention';
import { SampleBuffer } from '../store/sample-buffer';
import { SampleWriter } from '../store/samples';
import { ensureSite } from '../store/sites';
import { Store } from '../store/store';
import { countUsers } from '../store/users';
import { UpsRecorder } from '../store/ups-recorder';
import { adminAuthFor, assertEditorBind, isLoopbackHost } from './admin-auth';
import { startDemoDevices } from './demo';
import { holdSite } from './site-hold';
import { hubFlows, prepareUserDir, type HubFlowsOptions } from './flows';
import { flowsStarted, loadNodeRed, type NodeRedRuntime } from './node-red';
import type { RevisionWatcher } from '../flows/revision-watcher';
import type { HubServices } from './services';

export interface HubAddresses {
  http: string;
  mqtt: string;
  dbPath: string;
  /** The upsd servers watched, `host:port` each (the built-in simulator's when none is configured). */
  nut: string[];
}

function listenHttp(server: http.Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * The composition root: opens the store (migrating it, holding its lock),
 * starts the broker, embeds Node-RED on the hub's own HTTP server, and starts
 * the background services. stop() undoes it in reverse, writing what is pending.
 */
export class Hub {
  readonly bus = new EventBus();
  private store: Store | undefined;
  private broker: EmbeddedBroker | undefined;
  private server: http.Server | undefined;
  private red: NodeRedRuntime | undefined;
  private samples: SampleBuffer | undefined;
  private retention: RetentionService | undefined;
  private recorder: UpsRecorder | undefined;
  private nut: NutService | undefined;
  private simulator: BuiltInSimulator | undefined;
  private rules: RulesService | undefined;
  private policies: PolicyService | undefined;
  private bridge: HaBridge | undefined;
  private flowWatcher: RevisionWatcher | undefined;
  private stopDemo: (() => Promise<void>) | undefined;
  private stopping: Promise<void> | undefined;
  private readonly startedAt = Date.now();

  constructor(
    private readonly settings: WalnutSettings,
    private readonly logger: Logger,
    /** Something the hub cannot go on after (another hub took its site): main stops it and exits 1. */
    private readonly onFatal: (error: Error) => void = () => undefined,
  ) {
    this.bus.onListenerError((event, error) => this.logger.error({ err: error, event }, 'bus listener failed'));
  }

  async start(): Promise<HubAddresses> {
    const { settings, logger } = this;
    const store = await Store.open({ settings, lockAs: 'walnut hub' });
    this.store = store;
    logger.info({ dbPath: store.dbPath, keySource: store.masterKeySource }, 'store open');
    if (store.siteLock) holdSite(store.siteLock, logger.child({ service: 'store' }), () => this.stopping !== undefined, this.onFatal);
    const site = await ensureSite(store.knex, settings.site);

    this.samples = new SampleBuffer(new SampleWriter(store.knex), this.bus, logger.child({ service: 'samples' }));
    this.samples.start();
    this.retention = new RetentionService(store.knex, this.bus, logger.child({ service: 'retention' }), settings.retention);
    this.retention.start();
    this.recorder = new UpsRecorder(store.knex, this.bus, this.samples, site.id, logger.child({ service: 'recorder' }));
    this.recorder.start();
    const nut = new NutService(this.bus, logger.child({ service: 'nut' }));
    this.nut = nut;
    await this.watchConfiguredServers(store, nut);

    const topics = new Topics(settings.mqtt.baseTopic, settings.site, settings.mqtt.discoveryPrefix);
    if (settings.mqtt.url === undefined) {
      this.broker = await startBroker(settings.mqtt, store, topics, site.id, logger.child({ service: 'mqtt' }), (topic, payload, actor) => this.bridge?.handleCommand(topic, payload, actor));
    } else {
      logger.info('MQTT_URL is set: using the external broker, not starting the embedded one');
    }
    const connection = await connectionTo(settings.mqtt, store, this.broker);

    const rules = new RulesService({
      dir: settings.rulesDir, bus: this.bus, logger: logger.child({ service: 'rules' }), store: { knex: store.knex, siteId: site.id },
    });
    this.rules = rules;
    try {
      await rules.start();
    } catch (error) {
      // Isolated like any service: the hub still records and shows the UPSes.
      logger.error({ err: error, dir: settings.rulesDir }, 'rules service failed to start: no policy runs');
    }

    const policies = new PolicyService({
      bus: this.bus, rules, logger: logger.child({ service: 'policies' }), store: { knex: store.knex, siteId: site.id },
    });
    this.policies = policies;
    policies.start();

    const runner = storeBackedRunner(store, site.id, rules, this.bus, logger.child({ service: 'jobs' }));
    // Jobs a previous run of the hub left unfinished are checked on their devices before anything else is sent.
    void runner.recover().catch((error: unknown) => logger.error({ err: error }, 'could not recover unfinished jobs'));
    // A cancelled (or superseded) run sends nothing more: its jobs still waiting for a slot are cancelled.
    this.bus.onPolicyDecision(({ decision, simulated }) => {
      if (simulated) return;
      if (decision.kind === 'cancel' || decision.kind === 'run_end') void runner.cancel(decision.runId).catch(() => undefined);
    });

    this.bridge = new HaBridge({
      bus: this.bus, rules, policies, nut, store: { knex: store.knex, siteId: site.id }, topics, version: WALNUT_VERSION,
      connection, subscribeToCommands: this.broker === undefined, logger: logger.child({ service: 'home-assistant' }),
    });
    try {
      await this.bridge.start();
    } catch (error) {
      logger.error({ err: error }, 'Home Assistant publishing failed to start: the hub runs without it');
    }

    const archive = new ArchiveService({
      store, siteId: site.id, site: settings.site, version: WALNUT_VERSION, backup: settings.backup,
      mqtt: { baseTopic: settings.mqtt.baseTopic, discoveryPrefix: settings.mqtt.discoveryPrefix }, rules, logger: logger.child({ service: 'archive' }),
    });
    const services: HubServices = { bus: this.bus, samples: this.samples, nut, rules, policies, runner, archive, siteId: site.id };
    // With no NUT server configured the built-in simulated UPS runs, before Node-RED: the default flow names it.
    if (settings.nutServers.length === 0) {
      this.simulator = await startBuiltInSimulator(logger.child({ service: 'nut-simulator' }), settings.demo.nutPort);
      if (settings.demo.devices) this.stopDemo = await startDemoDevices(store.secrets(), logger.child({ service: 'demo' }));
    }
    const httpAddress = await this.startNodeRed(store, services, connection, await this.defaultFlowNut(store));
    // Only now do we know whether the flows watch a server of their own.
    if (nut.serverCount === 0 && this.simulator) {
      nut.acquire(nutServerConfig({ host: this.simulator.host, port: this.simulator.port }));
    }
    return { http: httpAddress, mqtt: redactUrl(connection.url), dbPath: store.dbPath, nut: nut.servers() };
  }

  /** WALNUT_NUT_SERVERS, with each login's password from the secret store (a missing secret stops the start). */
  private async watchConfiguredServers(store: Store, nut: NutService): Promise<void> {
    for (const server of this.settings.nutServers) {
      const password = server.username === undefined ? undefined : await store.secrets().get(server.passwordSecret ?? `nut/${server.username}`);
      const { pollIntervalMs, noCommAfterSeconds, retryDelayMs, maxRetries } = this.settings.nut;
      nut.acquire(nutServerConfig({
        host: server.host,
        port: server.port,
        pollIntervalMs,
        noCommAfterMs: noCommAfterSeconds * 1000,
        reconnect: reconnectPolicy(retryDelayMs, maxRetries),
        ...(password === undefined ? {} : { username: server.username, password }),
      }));
    }
  }

  /** The NUT server the default flow watches when it is seeded: the first configured one, else the simulator. */
  private async defaultFlowNut(store: Store): Promise<HubFlowsOptions['nut']> {
    const [first] = this.settings.nutServers;
    if (!first) return { host: this.simulator?.host ?? '127.0.0.1', port: this.simulator?.port ?? this.settings.demo.nutPort };
    if (first.username === undefined) return { host: first.host, port: first.port };
    const password = await store.secrets().get(first.passwordSecret ?? `nut/${first.username}`);
    return { host: first.host, port: first.port, username: first.username, password };
  }

  private async startNodeRed(store: Store, services: HubServices, mqtt: HubFlowsOptions['mqtt'], nut: HubFlowsOptions['nut']): Promise<string> {
    const app = express();
    app.disable('x-powered-by');
    const server = http.createServer(app);
    this.server = server;
    const red = loadNodeRed();
    this.red = red;
    const credentialSecret = store.deriveKey('walnut/node-red-credentials/v1').toString('hex');
    prepareUserDir(path.join(this.settings.dataDir, 'node-red'));
    // No editor user: the editor is reachable from this machine only.
    assertEditorBind(this.settings.http.host, (await countUsers(store.knex)) > 0);
    const adminAuth = adminAuthFor(store.knex, { loopback: isLoopbackHost(this.settings.http.host), onError: (error) => this.logger.error({ err: error }, 'editor login failed') });
    const flows = hubFlows({ store, siteId: services.siteId, settings: this.settings, credentialSecret, rules: services.rules, nut, mqtt, logger: this.logger.child({ service: 'flows' }) });
    flows.attach(() => red.nodes.loadFlows());
    this.flowWatcher = flows.watcher;
    red.init(server, nodeRedSettings(this.settings, { credentialSecret, services, storageModule: flows.storage, adminAuth }));
    // The REST API comes before Node-RED's routes, so no flow's http-in node can shadow it.
    app.use(API_ROOT, apiRouter({
      knex: store.knex, siteId: services.siteId, site: this.settings.site, version: WALNUT_VERSION, startedAt: this.startedAt,
      nut: services.nut, policies: services.policies, rules: services.rules, samplesRetentionHours: this.settings.retention.samplesHours,
      limiter: new FailedAuthLimiter(), now: Date.now,
    }, this.logger.child({ service: 'api' })));
    // Prometheus scrapes the UPS gauges here (the same readings Home Assistant gets).
    app.get('/metrics', (_request, response) => {
      response.type('text/plain; version=0.0.4').send(renderMetrics(services.nut.latest(), this.settings.site));
    });
    app.use('/', red.httpAdmin);
    app.use('/', red.httpNode);
    let address: AddressInfo;
    try {
      address = await listenHttp(server, this.settings.http.host, this.settings.http.port);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new HubStartError('http', `cannot listen on ${this.settings.http.host}:${this.settings.http.port}: ${code ?? String(error)} (set WALNUT_HTTP_PORT)`, { cause: error });
    }
    const started = flowsStarted(red);
    await red.start();
    await started;
    flows.watcher.start();
    const url = `http://${address.address}:${address.port}/`;
    this.logger.info({ url }, 'Node-RED editor listening');
    return url;
  }

  /** Idempotent; each part is stopped even if an earlier one fails. */
  stop(): Promise<void> {
    this.stopping ??= this.stopParts();
    return this.stopping;
  }

  private async stopParts(): Promise<void> {
    const steps: Array<[string, () => Promise<void> | void]> = [
      ['flows', () => this.flowWatcher?.stop()],
      ['node-red', async () => { if (this.red) await this.red.stop(); }],
      ['http', () => this.closeHttp()],
      ['home-assistant', async () => { await this.bridge?.stop(); }],
      ['policies', async () => { await this.policies?.stop(); }],
      ['rules', async () => { await this.rules?.stop(); }],
      ['nut', async () => { await this.nut?.stop(); }],
      ['nut-simulator', async () => { await this.simulator?.stop(); }],
      ['demo', async () => { await this.stopDemo?.(); }],
      ['recorder', async () => { await this.recorder?.stop(); }],
      ['mqtt', async () => { await this.broker?.close(); }],
      ['retention', async () => { await this.retention?.stop(); }],
      ['samples', async () => { await this.samples?.stop(); }],
      ['store', async () => { await this.store?.close(); }],
    ];
    for (const [part, step] of steps) {
      try {
        await step();
      } catch (error) {
        this.logger.error({ err: error, part }, 'stopping failed');
      }
    }
    this.bus.removeAllListeners();
  }

  private closeHttp(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
