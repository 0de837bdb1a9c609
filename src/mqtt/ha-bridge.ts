/**
 * Home Assistant over MQTT: listens to the bus and keeps the broker's
 * retained view of the hub true. Discovery configs for the hub, every UPS
 * (only the variables it reports), every policy and target; their states;
 * availability (the hub's last will plus each UPS's communication).
 * Everything is kept in memory and republished whole on every (re)connect
 * and whenever Home Assistant announces itself on `<prefix>/status`.
 */
import type { Knex } from 'knex';
import type { MqttClient } from 'mqtt';
import type { EventBus } from '../bus';
import type { MqttError } from '../errors';
import type { Logger } from '../logger';
import type { UpsSnapshot } from '../nut/snapshot';
import type { PolicyService } from '../policy/policy-service';
import type { RulesService } from '../policy/rules-service';
import { runCommand, type KnownUps, type UpsCommandRunner } from './commands';
import { connectHub, connectionError, redactUrl, type HubConnectionOptions } from './connection';
import type { DiscoveryContext, DiscoveryEntity } from './discovery/entity';
import { hubEntities, hubStatePayload } from './discovery/hub';
import { policyEntities, policyStatePayload } from './discovery/policy';
import { targetEntities, targetStatePayload, type TargetResult } from './discovery/target';
import { upsIdentity, type UpsIdentity } from './discovery/ups-identity';
import { upsEntities, upsStatePayload } from './discovery/ups';
import { EntityRegistry } from './entity-registry';
import type { Topics } from './topics';

export interface UpsCommandSource extends UpsCommandRunner {
  instantCommands(server: string, ups: string): Promise<string[]>;
}

export interface HaBridgeOptions {
  bus: EventBus;
  rules: RulesService;
  policies: PolicyService;
  nut: UpsCommandSource;
  store: { knex: Knex; siteId: number };
  topics: Topics;
  version: string;
  connection: Omit<HubConnectionOptions, 'clientId' | 'statusTopic'>;
  /**
   * With the embedded broker, commands come through its hook (which knows
   * who sent them); with an external one the hub subscribes to them.
   */
  subscribeToCommands: boolean;
  logger: Logger;
  policyRefreshMs?: number;
}

interface TrackedUps extends KnownUps {
  identity: UpsIdentity;
  /** The reported variable names, joined: a change means other entities. */
  signature: string;
}

const CONFIG = { qos: 1, retain: true } as const;
const FINISHED = new Set(['completed', 'failed', 'cancelled']);

export class HaBridge {
  private client: MqttClient | undefined;
  private readonly registry: EntityRegistry;
  private readonly context: DiscoveryContext;
  /** Config topic → payload, and state/availability topic → payload: what a (re)connect republishes. */
  private readonly configs = new Map<string, string>();
  private readonly states = new Map<string, { payload: string; qos: 0 | 1 }>();
  /** Topics to clear (empty retained payload) that may not have reached the broker yet. */
  private readonly cleared = new Set<string>();
  private readonly upsBySource = new Map<string, TrackedUps>();
  private readonly upsByKey = new Map<string, TrackedUps>();
  private offs: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  /** Entity syncs run one after another so the registry sees them in order. */
  private syncs: Promise<void> = Promise.resolve();
  private lastError: string | undefined;
  private connectedOnce: { promise: Promise<void>; settle: (error?: MqttError) => void };

  constructor(private readonly options: HaBridgeOptions) {
    this.registry = new EntityRegistry(options.store.knex, options.store.siteId);
    this.context = { topics: options.topics, version: options.version };
    let settle: (error?: MqttError) => void = () => undefined;
    const promise = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(error) : resolve());
    });
    promise.catch(() => undefined);
    this.connectedOnce = { promise, settle };
  }

  async start(): Promise<void> {
    const { bus, topics, logger } = this.options;
    await this.registry.load();
    this.offs = [
      bus.onUpsSnapshot((snapshot) => this.onSnapshot(snapshot)),
      bus.onRulesLoaded(() => this.queueSync(() => this.syncRules())),
      bus.onPolicyDecision(({ policy }) => void this.refreshPolicy(policy)),
      bus.onJobUpdate((update) => {
        if (!FINISHED.has(update.state)) return;
        this.setState(topics.targetState(update.target), targetStatePayload({
          result: update.state as TargetResult['result'], at: Date.now(), op: update.op, dryRun: update.dryRun,
          ...(update.policy ? { policy: update.policy } : {}), ...(update.detail ?? update.error ? { detail: update.detail ?? update.error } : {}),
        }));
      }),
    ];
    this.setState(topics.hubState, hubStatePayload(this.options.version));
    await this.replaceOwner('hub', hubEntities(this.context));
    this.queueSync(() => this.syncRules());
    this.timer = setInterval(() => void this.refreshPolicies(), this.options.policyRefreshMs ?? 1000);

    const client = connectHub({ ...this.options.connection, clientId: `walnut-${topics.nodeId}`, statusTopic: topics.hubStatus });
    this.client = client;
    client.on('connect', () => {
      this.lastError = undefined;
      // Small state packets go out at once rather than waiting to be batched (Nagle).
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      logger.info({ broker: redactUrl(this.options.connection.url) }, 'connected to the MQTT broker');
      const filters = [topics.haStatus, ...(this.options.subscribeToCommands ? [topics.commandFilter] : [])];
      client.subscribe(filters, { qos: 1 }, (error) => {
        if (error) logger.error({ err: error }, 'could not subscribe to Home Assistant status and commands');
      });
      this.republishAll();
      this.connectedOnce.settle();
    });
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', (error) => {
      const typed = connectionError(error, this.options.connection.url);
      // mqtt.js retries every few seconds: say it once per distinct problem.
      if (typed.message !== this.lastError) logger.error({ err: typed }, typed.message);
      this.lastError = typed.message;
      this.connectedOnce.settle(typed);
    });
  }

  /** Resolves on the first connection; rejects with MqttAuthError or MqttConnectionError when the first attempt fails. */
  connected(): Promise<void> {
    return this.connectedOnce.promise;
  }

  /** A command from a client of the embedded broker (its hook says who). */
  handleCommand(topic: string, payload: Buffer, actor: string): void {
    const command = this.options.topics.parseCommand(topic);
    if (!command) return;
    const { store, policies, nut, logger } = this.options;
    void runCommand({
      knex: store.knex, siteId: store.siteId, policies, nut, logger,
      upsByKey: (key) => this.upsByKey.get(key),
    }, command, payload.toString('utf8'), actor).then(() => {
      if (command.kind === 'policy') return this.refreshPolicy(command.name);
      return undefined;
    });
  }

  /** Marks the hub offline (as its last will would) and disconnects. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const off of this.offs.splice(0)) off();
    await this.syncs;
    const client = this.client;
    if (!client) return;
    if (client.connected) {
      await client.publishAsync(this.options.topics.hubStatus, 'offline', CONFIG).catch(() => undefined);
    }
    await client.endAsync();
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic === this.options.topics.haStatus) {
      if (payload.toString('utf8') === 'online') {
        this.options.logger.info('Home Assistant came online: republishing discovery and states');
        this.republishAll();
      }
      return;
    }
    this.handleCommand(topic, payload, 'mqtt');
  }

  // --- UPSes ----------------------------------------------------------------------------------

  private onSnapshot(snapshot: UpsSnapshot): void {
    const source = `${snapshot.server}|${snapshot.ups}`;
    let tracked = this.upsBySource.get(source);
    if (snapshot.comm !== 'ok') {
      if (tracked) this.setState(this.options.topics.upsAvailability(tracked.identity.key), 'offline', 1);
      return;
    }
    if (!tracked) tracked = this.track(snapshot, source);
    const signature = Object.keys(snapshot.vars).join('\n');
    if (signature !== tracked.signature) {
      tracked.signature = signature;
      const ups = tracked;
      const vars = snapshot.vars;
      this.queueSync(() => this.replaceOwner(`ups:${ups.identity.key}`, upsEntities(this.context, ups.identity, vars, ups.commands)));
    }
    const { topics } = this.options;
    this.setState(topics.upsAvailability(tracked.identity.key), 'online', 1);
    this.setState(topics.upsState(tracked.identity.key), upsStatePayload(snapshot.vars, snapshot.flags));
  }

  private track(snapshot: UpsSnapshot, source: string): TrackedUps {
    const identity = upsIdentity(snapshot.server, snapshot.ups, snapshot.vars);
    const tracked: TrackedUps = { identity, server: snapshot.server, ups: snapshot.ups, commands: [], signature: '' };
    this.upsBySource.set(source, tracked);
    this.upsByKey.set(identity.key, tracked);
    // The command buttons follow once upsd has listed them.
    this.options.nut.instantCommands(snapshot.server, snapshot.ups).then((commands) => {
      if (commands.length === 0) return;
      tracked.commands = commands;
      tracked.signature = '';
    }, (error: unknown) => this.options.logger.warn({ err: error, ups: snapshot.ups, server: snapshot.server }, 'could not list the instant commands'));
    return tracked;
  }

  // --- Policies and targets -------------------------------------------------------------------

  private async syncRules(): Promise<void> {
    const rules = this.options.rules.current();
    const wanted = new Set<string>(['hub']);
    for (const name of rules.policies.keys()) {
      wanted.add(`policy:${name}`);
      await this.replaceOwner(`policy:${name}`, policyEntities(this.context, name));
      await this.refreshPolicy(name);
    }
    const lastResults = await this.lastResults([...rules.targets.keys()]);
    for (const [name, defined] of rules.targets) {
      wanted.add(`target:${name}`);
      await this.replaceOwner(`target:${name}`, targetEntities(this.context, name, defined.target.type));
      const topic = this.options.topics.targetState(name);
      if (!this.states.has(topic)) this.setState(topic, targetStatePayload(lastResults.get(name)));
    }
    for (const owner of this.registry.owners()) {
      if (owner.startsWith('ups:')) {
        // Known from an earlier run but not heard from yet: offline until a reading says otherwise.
        const topic = this.options.topics.upsAvailability(owner.slice('ups:'.length));
        if (!this.states.has(topic)) this.setState(topic, 'offline', 1);
      } else if (!wanted.has(owner)) {
        await this.replaceOwner(owner, []);
        const prefix = `${this.options.topics.root}/${owner.replace(':', '/')}/`;
        for (const topic of [...this.states.keys()].filter((state) => state.startsWith(prefix))) {
          this.states.delete(topic);
          this.clear(topic);
        }
      }
    }
  }

  /** Each target's newest finished job: one indexed lookup per target, not the whole jobs table. */
  private async lastResults(targets: string[]): Promise<Map<string, TargetResult>> {
    const { knex, siteId } = this.options.store;
    const results = new Map<string, TargetResult>();
    for (const target of targets) {
      const row = (await knex('jobs').where({ site_id: siteId, target }).whereIn('state', [...FINISHED]).whereNotNull('finished_at')
        .orderBy('finished_at', 'desc').first('state', 'op', 'dry_run', 'finished_at', 'result', 'error')) as {
        state: TargetResult['result']; op: string; dry_run: number | boolean; finished_at: number; result: string | null; error: string | null;
      } | undefined;
      if (!row) continue;
      results.set(target, {
        result: row.state, at: Number(row.finished_at), op: row.op, dryRun: Boolean(row.dry_run),
        ...(row.result ?? row.error ? { detail: (row.result ?? row.error)! } : {}),
      });
    }
    return results;
  }

  private refreshes = 0;

  /**
   * Countdowns and margins move with the clock and the readings: policies a flow runs are
   * refreshed every second; the others (read from the store) every tenth.
   */
  private async refreshPolicies(): Promise<void> {
    const everything = this.refreshes++ % 10 === 0;
    for (const name of this.options.rules.current().policies.keys()) {
      if (everything || this.options.policies.status(name).loaded) await this.refreshPolicy(name);
    }
  }

  private async refreshPolicy(name: string): Promise<void> {
    const report = await this.options.policies.report(name).catch(() => undefined);
    if (report) this.setState(this.options.topics.policyState(name), policyStatePayload(report));
  }

  // --- Publishing -----------------------------------------------------------------------------

  private queueSync(sync: () => Promise<void>): void {
    this.syncs = this.syncs.then(sync).catch((error: unknown) => this.options.logger.error({ err: error }, 'Home Assistant discovery update failed'));
  }

  /** Publishes an owner's configs and removes (empty retained config) the ones it no longer has. */
  private async replaceOwner(owner: string, entities: readonly DiscoveryEntity[]): Promise<void> {
    const { topics } = this.options;
    const wanted = entities.map((entity) => topics.config(entity.component, entity.objectId));
    entities.forEach((entity, index) => {
      const topic = wanted[index]!;
      const payload = JSON.stringify(entity.config);
      if (this.configs.get(topic) === payload) return;
      this.configs.set(topic, payload);
      this.send(topic, payload, CONFIG);
    });
    const { removed } = await this.registry.replace(owner, wanted);
    for (const topic of removed) {
      this.configs.delete(topic);
      this.clear(topic);
    }
  }

  /** A retained state: sent when it differs from the last one. */
  private setState(topic: string, payload: string, qos: 0 | 1 = 0): void {
    if (this.states.get(topic)?.payload === payload) return;
    this.states.set(topic, { payload, qos });
    this.send(topic, payload, { qos, retain: true });
  }

  /** Removals, configs, states, and "online" last: once HA sees the hub online, everything before it is there. */
  private republishAll(): void {
    for (const topic of this.cleared) this.send(topic, '', CONFIG);
    this.cleared.clear();
    for (const [topic, payload] of this.configs) this.send(topic, payload, CONFIG);
    for (const [topic, { payload, qos }] of this.states) this.send(topic, payload, { qos, retain: true });
    this.send(this.options.topics.hubStatus, 'online', CONFIG);
  }

  /** An empty retained message removes the entity (or state) for good; kept until the broker has it. */
  private clear(topic: string): void {
    if (this.client?.connected) this.send(topic, '', CONFIG);
    else this.cleared.add(topic);
  }

  /** Only while connected: a (re)connect republishes everything from memory. */
  private send(topic: string, payload: string, options: { qos: 0 | 1; retain: boolean }): void {
    const client = this.client;
    if (!client?.connected) return;
    client.publish(topic, payload, options, (error) => {
      if (error) this.options.logger.warn({ err: error, topic }, 'MQTT publish failed');
    });
  }
}
