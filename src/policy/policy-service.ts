/**
 * Hosts the engine for every policy a flow uses: feeds it the UPS readings
 * (from the bus, and from the policy node's input), action results and a
 * clock tick; publishes decisions and action requests; persists each
 * policy's state after every decision so a restarted hub resumes its run,
 * verifying in-flight actions on the device before sending anything again.
 */
import type { Knex } from 'knex';
import type { EventBus } from '../bus';
import type { Logger } from '../logger';
import type { UpsSnapshot } from '../nut/snapshot';
import { UsageError } from '../errors';
import { Event, Policy } from '../store/models';
import { compilePolicy, type CompiledPolicy } from './engine/compile';
import { initialState, step, type EngineOptions } from './engine/step';
import type { ActionResult, Decision, EngineInput, EngineState, UpsSample } from './engine/types';
import { OutageSimulation } from './outage-simulation';
import { effectiveFlags, type EffectiveFlags } from './overrides';
import type { PowerReading } from './plan';
import { policyReport, type PolicyReport } from './policy-report';
import type { ActionRequest } from './requests';
import type { RulesService } from './rules-service';
import type { Target } from './spec';
import { matchesUpsRef } from './ups-ref';

export interface PolicyServiceOptions {
  bus: EventBus;
  rules: RulesService;
  logger: Logger;
  store?: { knex: Knex; siteId: number };
  now?: () => number;
  tickMs?: number;
}

interface Hosted {
  policy: CompiledPolicy;
  options: EngineOptions;
  targets: ReadonlyMap<string, Target>;
  flags: EffectiveFlags;
  state: EngineState;
  /** Newest reading fed per UPS ref, so the same reading from the bus and a wire counts once. */
  lastReadingTs: Map<string, number>;
}

export interface PolicyRunStatus {
  loaded: boolean;
  armed: boolean;
  dryRun: boolean;
  runId?: string;
  phase?: 'stages' | 'awaiting_restore' | 'restoring';
  stage?: string;
}

export class PolicyService {
  private readonly hosted = new Map<string, Hosted>();
  /** How many policy nodes hold each policy; a claimed policy runs whenever the rules define it. */
  private readonly claims = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private offs: Array<() => void> = [];
  /** State writes happen one after another, in decision order. */
  private writes: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  /** The newest good reading of every UPS seen, for plans and simulations (keyed `server|ups`). */
  private readonly readings = new Map<string, UpsSnapshot>();
  private readonly simulations = new Map<string, OutageSimulation>();

  constructor(private readonly options: PolicyServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    const { bus } = this.options;
    this.offs = [
      bus.onUpsSnapshot((snapshot) => this.feedSnapshot(snapshot)),
      bus.onRulesLoaded(() => void this.reload()),
    ];
    this.timer = setInterval(() => this.tickAll(), this.options.tickMs ?? 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.simulations.clear();
    for (const off of this.offs.splice(0)) off();
    await this.writes;
  }

  /** A policy node asks for its policy to run; it runs while at least one node holds it. */
  async claim(name: string): Promise<() => void> {
    this.claims.set(name, (this.claims.get(name) ?? 0) + 1);
    if (!this.hosted.has(name)) await this.host(name);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.claims.get(name) ?? 1) - 1;
      if (left > 0) return void this.claims.set(name, left);
      this.claims.delete(name);
      this.hosted.delete(name);
    };
  }

  status(name: string): PolicyRunStatus {
    const hosted = this.hosted.get(name);
    if (!hosted) return { loaded: false, armed: false, dryRun: false };
    const run = hosted.state.run;
    const stage = run?.phase === 'restoring' ? 'restore' : run?.stages.find((candidate) => candidate.state === 'running')?.name;
    return {
      loaded: true, armed: hosted.flags.armed, dryRun: hosted.flags.dryRun,
      ...(run ? { runId: run.id, phase: run.phase } : {}), ...(stage ? { stage } : {}),
    };
  }

  /** The policy as Home Assistant and the API show it; undefined when the rules do not define it. */
  async report(name: string): Promise<PolicyReport | undefined> {
    const hosted = this.hosted.get(name);
    const simulation = this.simulations.get(name);
    const compiled = hosted ? undefined : await this.compiled(name);
    const policy = hosted?.policy ?? compiled?.parts.policy;
    const flags = hosted?.flags ?? compiled?.parts.flags;
    if (!policy || !flags) return undefined;
    const reading = this.powerReading(policy.ups);
    return policyReport({
      policy, flags, simulating: simulation !== undefined, now: this.now(),
      ...(simulation ? { state: simulation.state } : hosted ? { state: hosted.state } : {}),
      ...(reading ? { reading } : {}),
    });
  }

  /**
   * Starts a simulated outage of a policy (a live dry run that calls no
   * device; its decisions go on the bus marked `simulated`), or stops the one
   * running. Returns whether one runs now.
   */
  async toggleSimulation(name: string): Promise<boolean> {
    const running = this.simulations.get(name);
    if (running) {
      running.stop();
      this.simulations.delete(name);
      return false;
    }
    const compiled = await this.compiled(name);
    if (!compiled) throw new UsageError(`no policy named "${name}" is loaded: nothing to simulate`);
    const latest = compiled.parts.policy.ups.map((ref) => this.latestFor(ref)).find((snapshot) => snapshot !== undefined);
    const simulation = new OutageSimulation(compiled.parts.policy, compiled.parts.options, {
      ...(latest?.batteryCharge === undefined ? {} : { charge: latest.batteryCharge }),
      ...(latest?.batteryRuntime === undefined ? {} : { runtime: latest.batteryRuntime }),
      ...(latest?.load === undefined ? {} : { load: latest.load }),
    }, this.now());
    this.simulations.set(name, simulation);
    this.advanceSimulation(name, simulation);
    return true;
  }

  /** An override was set (from Home Assistant or the API): the running policy picks it up now. */
  async flagsChanged(name: string): Promise<void> {
    await this.refreshFlags(name);
  }

  /** A reading of a UPS; every hosted policy watching it gets it once. */
  feedSnapshot(snapshot: UpsSnapshot): void {
    if (snapshot.comm === 'ok') this.readings.set(`${snapshot.server}|${snapshot.ups}`, snapshot);
    for (const [name, hosted] of this.hosted) {
      for (const ref of hosted.policy.ups) {
        if (!matchesUpsRef(ref, snapshot.server, snapshot.ups)) continue;
        if ((hosted.lastReadingTs.get(ref) ?? -1) >= snapshot.ts) continue;
        hosted.lastReadingTs.set(ref, snapshot.ts);
        this.apply(name, hosted, toSample(ref, snapshot));
      }
    }
  }

  /** A driver's answer to an action request (through the policy node's input). */
  reportResult(name: string, result: Omit<ActionResult, 'kind'>): void {
    const hosted = this.hosted.get(name);
    if (hosted) this.apply(name, hosted, { kind: 'result', ...result });
  }

  private ticks = 0;

  private tickAll(): void {
    for (const [name, hosted] of this.hosted) this.apply(name, hosted, { kind: 'tick' });
    for (const [name, simulation] of this.simulations) this.advanceSimulation(name, simulation);
    // Overrides may be set by another process (`walnut rules override`): read them again every few seconds.
    if (++this.ticks % 5 === 0) for (const name of this.hosted.keys()) void this.refreshFlags(name).catch(() => undefined);
  }

  private advanceSimulation(name: string, simulation: OutageSimulation): void {
    for (const decision of simulation.advance(this.now())) {
      this.options.bus.emitPolicyDecision({ policy: name, dryRun: true, simulated: true, decision });
    }
    if (simulation.done) this.simulations.delete(name);
  }

  private latestFor(ref: string): UpsSnapshot | undefined {
    for (const snapshot of this.readings.values()) if (matchesUpsRef(ref, snapshot.server, snapshot.ups)) return snapshot;
    return undefined;
  }

  private powerReading(refs: readonly string[]): PowerReading | undefined {
    for (const ref of refs) {
      const snapshot = this.latestFor(ref);
      if (snapshot?.batteryRuntime === undefined) continue;
      return { runtimeS: snapshot.batteryRuntime, ...(snapshot.realpower === undefined ? {} : { loadW: snapshot.realpower }) };
    }
    return undefined;
  }

  /** Only the armed/dry_run flags, from the policy's row: the rules themselves change through rules.loaded. */
  private async refreshFlags(name: string): Promise<void> {
    const hosted = this.hosted.get(name);
    const loaded = this.options.rules.current().policies.get(name);
    if (!hosted || !loaded) return;
    hosted.flags = effectiveFlags(loaded.document, await this.policyRow(name));
    hosted.options = { ...hosted.options, armed: hosted.flags.armed };
  }

  /** The policy as the current rules and overrides define it; undefined when the rules no longer do. */
  private async compiled(name: string): Promise<{ row?: Policy; parts: Pick<Hosted, 'policy' | 'options' | 'targets' | 'flags'> } | undefined> {
    const rules = this.options.rules.current();
    const loaded = rules.policies.get(name);
    if (!loaded) return undefined;
    const targets = new Map([...rules.targets].map(([target, defined]) => [target, defined.target]));
    const row = await this.policyRow(name);
    const flags = effectiveFlags(loaded.document, row);
    const targetTypes = new Map([...targets].map(([target, spec]) => [target, spec.type]));
    return {
      ...(row ? { row } : {}),
      parts: { policy: compilePolicy(loaded.document, targets), options: { armed: flags.armed, targetTypes }, targets, flags },
    };
  }

  private async host(name: string): Promise<void> {
    const compiled = await this.compiled(name);
    if (!compiled) return;
    const saved = compiled.row?.run_state ? (JSON.parse(compiled.row.run_state) as EngineState) : undefined;
    const hosted: Hosted = { ...compiled.parts, state: saved ?? initialState(this.now()), lastReadingTs: new Map() };
    this.hosted.set(name, hosted);
    if (saved?.run) {
      this.options.logger.warn({ policy: name, runId: saved.run.id }, 'resuming a run the hub was in when it stopped');
      this.apply(name, hosted, { kind: 'resume' });
    }
  }

  /** New rules: recompile, keeping each policy's state; start claimed policies that now exist, drop removed ones. */
  private async reload(): Promise<void> {
    for (const name of this.claims.keys()) await this.refresh(name);
  }

  /** Recompiles one policy from the current rules and overrides (new rules were loaded). */
  private async refresh(name: string): Promise<void> {
    const hosted = this.hosted.get(name);
    if (!hosted) return this.host(name);
    const compiled = await this.compiled(name);
    if (!compiled) {
      this.options.logger.warn({ policy: name }, 'policy removed from the rules: it no longer runs');
      this.hosted.delete(name);
      return;
    }
    Object.assign(hosted, compiled.parts);
  }

  private apply(name: string, hosted: Hosted, input: EngineInput): void {
    const before = hosted.state;
    const { state, decisions } = step(hosted.policy, hosted.options, before, input, this.now());
    hosted.state = state;
    for (const decision of decisions) this.publish(name, hosted, decision);
    if (decisions.length > 0 || transitioned(before, state)) this.persist(name, state, decisions);
  }

  private publish(name: string, hosted: Hosted, decision: Decision): void {
    const { bus } = this.options;
    const dryRun = hosted.flags.dryRun;
    bus.emitPolicyDecision({ policy: name, dryRun, decision });
    if (decision.kind !== 'action' && decision.kind !== 'verify') return;
    const target = hosted.targets.get(decision.target!);
    if (!target) return;
    const request: ActionRequest = {
      runId: decision.runId, policy: name, stage: decision.stage!, target: decision.target!, targetType: target.type, op: decision.op!,
      timeout: decision.timeoutMs ?? 60_000, dryRun, force: decision.force === true, verify: decision.kind === 'verify',
    };
    bus.emitActionRequest(request);
  }

  private persist(name: string, state: EngineState, decisions: Decision[]): void {
    const store = this.options.store;
    if (!store) return;
    const json = JSON.stringify(state);
    this.writes = this.writes.then(async () => {
      await store.knex.transaction(async (trx) => {
        await Policy.query(trx).where({ site_id: store.siteId, name }).patch({ run_state: json });
        for (const decision of decisions) {
          await Event.query(trx).insert({
            site_id: store.siteId, ts: decision.t, severity: decision.kind === 'trigger' ? 'warning' : 'info',
            type: `policy.${decision.kind}`, source: `policy:${name}`,
            message: describeDecision(decision), data: JSON.stringify(decision),
          });
        }
      });
    }).catch((error: unknown) => this.options.logger.error({ err: error, policy: name }, 'could not persist the policy state'));
  }

  private async policyRow(name: string): Promise<Policy | undefined> {
    const store = this.options.store;
    return store ? Policy.query(store.knex).findOne({ site_id: store.siteId, name }) : undefined;
  }
}

export function describeDecision(decision: Decision): string {
  const what = [decision.kind, decision.stage, decision.target, decision.op].filter(Boolean).join(' ');
  return `${what}: ${decision.because.rule} (${decision.because.input})`;
}

function toSample(ref: string, snapshot: UpsSnapshot): UpsSample {
  return {
    kind: 'sample', ups: ref, flags: snapshot.flags, comm: snapshot.comm === 'ok' ? 'ok' : snapshot.comm === 'data-stale' ? 'stale' : 'lost',
    ...(snapshot.batteryCharge === undefined ? {} : { charge: snapshot.batteryCharge }),
    ...(snapshot.batteryRuntime === undefined ? {} : { runtime: snapshot.batteryRuntime }),
    ...(snapshot.load === undefined ? {} : { load: snapshot.load }),
  };
}

/** Worth persisting without a decision: a UPS went on battery or came back (the timers' starts). */
function transitioned(before: EngineState, after: EngineState): boolean {
  for (const [ups, track] of Object.entries(after.ups)) {
    const previous = before.ups[ups];
    if (previous?.onBatterySince !== track.onBatterySince || previous?.onlineSince !== track.onlineSince) return true;
  }
  return false;
}
