/**
 * Keeps the rules folder's accepted policies and targets in memory: loads
 * them at start, watches top-level *.yaml files, re-validates a changed file
 * and runs it only when it is good; a broken file keeps its last good version
 * running and is reported on the bus. Every accepted load is written to the
 * store (hosts, integrations, policies).
 */
import { watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import type { Knex } from 'knex';
import type { EventBus } from '../bus';
import type { RulesProblem } from '../errors';
import type { Logger } from '../logger';
import { formatProblem } from './problems';
import { displayPath, isRulesFileName, loadRulesDir, loadRulesFile } from './rules-dir';
import { applyFileChange, buildRuleSet, EMPTY_RULE_SET, type RuleSet, type RuleSetOutcome } from './rule-set';
import { RULES_ACTOR, syncRulesToStore, type DroppedOverride } from './rules-store';
import { recordAudit } from '../store/audit';

export interface RulesServiceOptions {
  dir: string;
  bus: EventBus;
  logger: Logger;
  /** Where targets and policies are derived to; omitted by tools that only validate. */
  store?: { knex: Knex; siteId: number };
  /** Editors write a file in several steps: wait this long after the last event. */
  debounceMs?: number;
}

export interface PolicyRulesState {
  /** A version of the policy runs (the last good one when `problem` is set). */
  running: boolean;
  file?: string;
  /** The first problem of a refused rules file that concerns this policy (any, when it is not running). */
  problem?: RulesProblem;
}

export class RulesService {
  private ruleSet: RuleSet = EMPTY_RULE_SET;
  private readonly rejectedFiles = new Map<string, RulesProblem[]>();
  private watcher: FSWatcher | undefined;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Changes are applied one at a time, in the order they were seen. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: RulesServiceOptions) {}

  async start(): Promise<void> {
    let files;
    try {
      files = await loadRulesDir(this.options.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.options.logger.warn({ dir: this.options.dir }, 'the rules folder does not exist: no policy runs (set WALNUT_RULES_DIR)');
      return;
    }
    await this.accept(buildRuleSet(files), undefined);
    this.watcher = watch(this.options.dir, (_event, name) => {
      if (typeof name === 'string' && isRulesFileName(name)) this.schedule(path.join(this.options.dir, name));
    });
    this.watcher.on('error', (error) => this.options.logger.error({ err: error }, 'rules folder watch failed'));
  }

  async stop(): Promise<void> {
    this.watcher?.close();
    this.watcher = undefined;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.queue;
  }

  /** The rules that run now. */
  current(): RuleSet {
    return this.ruleSet;
  }

  /** Files whose current text is not running, with the problems that keep it out. */
  rejected(): ReadonlyMap<string, RulesProblem[]> {
    return this.rejectedFiles;
  }

  /** What a policy node shows: is it running, from which file, and is a newer text of that file refused. */
  policyState(name: string): PolicyRulesState {
    const loaded = this.ruleSet.policies.get(name);
    const concerns = (file: string, problems: RulesProblem[]): boolean =>
      file === loaded?.file || problems.some((problem) => problem.file === loaded?.file);
    for (const [file, problems] of this.rejectedFiles) {
      if (loaded ? concerns(file, problems) : true) {
        return { running: loaded !== undefined, ...(loaded ? { file: loaded.file } : {}), problem: problems[0] };
      }
    }
    return loaded ? { running: true, file: loaded.file } : { running: false };
  }

  /** Re-reads one file now (the watcher calls this after its debounce). */
  reloadFile(file: string): Promise<void> {
    const run = this.queue.then(async () => {
      const changed = await loadRulesFile(file);
      const key = displayPath(file);
      const running = this.ruleSet.files.get(key);
      if (changed && running && changed.sha256 === running.sha256 && !this.rejectedFiles.has(key)) return;
      if (!changed && !running && !this.rejectedFiles.has(key)) return;
      if (!changed) this.rejectedFiles.delete(key); // a deleted broken file is no longer broken
      await this.accept(applyFileChange(this.ruleSet, key, changed), key);
    });
    this.queue = run.catch((error: unknown) => this.options.logger.error({ err: error }, 'rules reload failed'));
    return run;
  }

  private schedule(file: string): void {
    clearTimeout(this.timers.get(file));
    this.timers.set(file, setTimeout(() => {
      this.timers.delete(file);
      void this.reloadFile(file);
    }, this.options.debounceMs ?? 150));
  }

  private async accept(outcome: RuleSetOutcome, changedFile: string | undefined): Promise<void> {
    const { bus, logger } = this.options;
    for (const [file, problems] of outcome.rejected) {
      this.rejectedFiles.set(file, problems);
      const runningSha256 = outcome.ruleSet.files.get(file)?.sha256;
      logger.error({ file, problems: problems.map(formatProblem), keptRunning: runningSha256 !== undefined }, 'rules file rejected');
      bus.emitRulesRejected({ file, problems, ...(runningSha256 === undefined ? {} : { runningSha256 }) });
    }
    if (outcome.ruleSet === this.ruleSet) return; // nothing new runs
    if (changedFile !== undefined) this.rejectedFiles.delete(changedFile);
    let droppedOverrides: DroppedOverride[] = [];
    if (this.options.store) {
      const { knex, siteId } = this.options.store;
      droppedOverrides = await syncRulesToStore(knex, siteId, {
        targets: [...outcome.ruleSet.targets.values()],
        policies: [...outcome.ruleSet.policies.values()],
      });
      // A changed file taking effect is a change like any other (the start's first load is not).
      if (changedFile !== undefined) await recordAudit(knex, { siteId, actor: RULES_ACTOR, action: 'rules.reloaded', resource: `rules/${path.basename(changedFile)}`, ...fileChange(this.ruleSet, outcome.ruleSet, changedFile) });
    }
    this.ruleSet = outcome.ruleSet;
    const loaded = {
      files: [...this.ruleSet.files.keys()],
      policies: [...this.ruleSet.policies.keys()],
      targets: [...this.ruleSet.targets.keys()],
      warnings: this.ruleSet.warnings,
      droppedOverrides,
      ...(changedFile === undefined ? {} : { changedFile }),
    };
    logger.info({ ...loaded, warnings: loaded.warnings.map(formatProblem) }, 'rules loaded');
    bus.emitRulesLoaded(loaded);
  }
}

/** The file's version and what it defines, before and after (a removed file has no after). */
function fileChange(before: RuleSet, after: RuleSet, file: string): { before?: object; after?: object } {
  const describe = (set: RuleSet): object | undefined => {
    const version = set.files.get(file);
    if (!version) return undefined;
    const policies = [...set.policies.values()].filter((policy) => policy.file === file).map((policy) => policy.name);
    const targets = [...set.targets.values()].filter((target) => target.source.file === file).map((target) => target.name);
    return { sha256: version.sha256, policies, targets };
  };
  const old = describe(before);
  const current = describe(after);
  return { ...(old ? { before: old } : {}), ...(current ? { after: current } : {}) };
}
