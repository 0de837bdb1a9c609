import { promises as fs } from 'node:fs';
import { RulesError, UsageError } from '../errors';
import { formatDuration } from '../policy/duration';
import { compilePolicy, type CompiledPolicy } from '../policy/engine/compile';
import type { EngineOptions } from '../policy/engine/step';
import { planPolicy, type Plan } from '../policy/plan';
import { loadRulesDir } from '../policy/rules-dir';
import { readRulesFile } from '../policy/rules-file';
import { buildRuleSet, type RuleSet } from '../policy/rule-set';
import { simulate } from '../policy/simulate';
import type { Target } from '../policy/spec';
import { compareTimelines, formatChange, formatTimeline, timelineEntries } from '../policy/timeline';
import { loadTrace } from '../policy/trace';
import { createDriver } from '../actions/registry';
import { Store } from '../store/store';
import { cliSettings, type GlobalOptions, printJson, println } from './common';
import { readingSource, type ReadingOptions } from './rules-readings';

async function loadRuleSet(options: GlobalOptions): Promise<RuleSet> {
  const dir = cliSettings(options).rulesDir;
  const { ruleSet, rejected } = buildRuleSet(await loadRulesDir(dir));
  for (const [file, problems] of rejected) process.stderr.write(`warning: ${file} is not loaded (${problems.length} problem${problems.length === 1 ? '' : 's'}; see walnut rules validate)\n`);
  return ruleSet;
}

function targetsOf(ruleSet: RuleSet): Map<string, Target> {
  return new Map([...ruleSet.targets].map(([name, defined]) => [name, defined.target]));
}

function pickPolicy(ruleSet: RuleSet, name: string, targets = targetsOf(ruleSet)): CompiledPolicy {
  const loaded = ruleSet.policies.get(name);
  if (!loaded) throw new UsageError(`no policy named "${name}" in the rules folder (there are: ${[...ruleSet.policies.keys()].join(', ') || 'none'})`);
  return compilePolicy(loaded.document, targets);
}

/**
 * The power plugs meter now, for targets that give no `watts` in the rules:
 * a read-only probe of each Tapo and Shelly target.
 */
async function measuredWatts(options: GlobalOptions, ruleSet: RuleSet): Promise<Map<string, number>> {
  const metered = [...ruleSet.targets.values()].filter(({ target }) => (target.type === 'tapo' || target.type === 'shelly') && target.watts === undefined);
  const watts = new Map<string, number>();
  if (metered.length === 0) return watts;
  const store = await Store.open({ settings: cliSettings(options) });
  try {
    const secrets = store.secrets();
    for (const { name, target } of metered) {
      const driver = createDriver(name, target, { secret: (secret) => secrets.get(secret), trustedFingerprint: () => Promise.resolve(undefined) });
      const probe = await driver.probe({ timeoutMs: 5000, signal: AbortSignal.timeout(6000) }).catch(() => undefined);
      if (probe?.powerW !== undefined) watts.set(name, probe.powerW);
      else process.stderr.write(`warning: ${name}: no power reading (${probe?.detail ?? 'probe failed'})\n`);
    }
  } finally {
    await store.close();
  }
  return watts;
}

/** `walnut rules plan [POLICY] [--runtime D] [--load-watts W] [--measure] [--json]`. */
export async function rulesPlanCommand(name: string | undefined, options: ReadingOptions & { json?: boolean; measure?: boolean }): Promise<void> {
  const ruleSet = await loadRuleSet(options);
  const targets = targetsOf(ruleSet);
  if (options.measure) {
    for (const [target, watts] of await measuredWatts(options, ruleSet)) targets.set(target, { ...targets.get(target)!, watts });
  }
  const names = name === undefined ? [...ruleSet.policies.keys()] : [name];
  const policies = names.map((policyName) => pickPolicy(ruleSet, policyName, targets));
  const { source, from } = await readingSource(options, policies.flatMap((policy) => policy.ups));
  const plans = policies.map((policy) => {
    const ups = policy.ups.find((ref) => source(ref) !== undefined);
    return { plan: planPolicy(policy, ups === undefined ? undefined : source(ups)), ups };
  });
  if (plans.some(({ plan }) => plan.marginMs !== undefined && plan.marginMs < 0)) process.exitCode = 1;
  if (options.json) {
    printJson(plans.map(({ plan, ups }) => ({ ...plan, ups: ups ?? null, readingFrom: ups === undefined ? null : from })));
    return;
  }
  for (const { plan, ups } of plans) printPlan(plan, ups, from);
}

function printPlan(plan: Plan, ups: string | undefined, from: string): void {
  const d = (ms: number): string => formatDuration(Math.max(0, Math.round(ms / 1000) * 1000));
  println(`policy ${plan.policy}: worst case ${d(plan.worstEndMs)} from the trigger to the end of the last stage, reserve ${d(plan.reserveMs)}`);
  for (const stage of plan.stages) {
    const left = stage.runtimeLeftMs === undefined ? '' : `, runtime left ${stage.runtimeLeftMs < 0 ? 'none' : d(stage.runtimeLeftMs)}`;
    println(`  ${stage.name.padEnd(16)} +${d(stage.startMs).padEnd(8)} → +${d(stage.worstEndMs).padEnd(8)} sheds ${stage.shedW} W${left}`);
  }
  if (plan.marginMs === undefined || plan.reading === undefined) {
    println('  margin: unknown (no runtime recorded for its UPSes; pass --runtime, and --load-watts for the shedding)');
    return;
  }
  const reading = `${ups}: runtime ${d(plan.reading.runtimeS * 1000)}${plan.reading.loadW ? ` at ${plan.reading.loadW} W` : ''}, from ${from}`;
  println(`  margin: ${plan.marginMs < 0 ? '-' : ''}${d(Math.abs(plan.marginMs))} beyond the reserve (${reading})${plan.marginMs < 0 ? ' — NOT ENOUGH' : ''}`);
}

/** `walnut rules simulate --policy P --trace T.yaml [--compare OTHER.yaml] [--json]`. */
export async function rulesSimulateCommand(options: GlobalOptions & { policy: string; trace: string; compare?: string; json?: boolean }): Promise<void> {
  const ruleSet = await loadRuleSet(options);
  const targets = targetsOf(ruleSet);
  const engineOptions: EngineOptions = { armed: true, targetTypes: new Map([...targets].map(([name, target]) => [name, target.type])) };
  const trace = await loadTrace(options.trace);
  const current = simulate(pickPolicy(ruleSet, options.policy), engineOptions, trace);
  if (options.compare === undefined) {
    if (options.json) for (const entry of timelineEntries(current.decisions)) println(JSON.stringify(entry));
    else {
      println(`${options.policy} on ${options.trace}${trace.description ? ` (${trace.description})` : ''}:`);
      for (const line of formatTimeline(current.decisions)) println(`  ${line}`);
      if (current.decisions.length === 0) println('  no decision: nothing happens');
    }
    return;
  }
  const other = readRulesFile(options.compare, await fs.readFile(options.compare, 'utf8'));
  if (other.problems.some((problem) => problem.severity === 'error')) throw new RulesError(other.problems.filter((problem) => problem.severity === 'error'));
  const document = other.policies.find((loaded) => loaded.document.name === options.policy)?.document ?? (other.policies.length === 1 ? other.policies[0]!.document : undefined);
  if (!document) throw new UsageError(`${options.compare} has no policy named "${options.policy}"`);
  for (const { document: targetsDocument } of other.targets) for (const [name, target] of Object.entries(targetsDocument.targets)) targets.set(name, target);
  const alternative = simulate(compilePolicy(document, targets), engineOptions, trace);
  const changes = compareTimelines(timelineEntries(current.decisions), timelineEntries(alternative.decisions));
  if (options.json) for (const change of changes) println(JSON.stringify(change));
  else {
    println(`A: ${options.policy} from the rules folder, B: ${options.compare}, on ${options.trace}`);
    for (const change of changes) println(`  ${formatChange(change)}`);
    if (changes.length === 0) println('  no difference');
  }
}
