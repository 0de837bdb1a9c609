/**
 * The runtime budget as a validation finding: a policy whose plan, at worst,
 * leaves less runtime than its reserve gets a warning (an error with --strict).
 */
import type { RulesProblem } from '../errors';
import { formatDuration } from './duration';
import { compilePolicy } from './engine/compile';
import { planPolicy, type PowerReading } from './plan';
import { problemAt } from './problems';
import type { RulesFile } from './rules-file';
import type { Target } from './spec';

export type ReadingSource = (ups: string) => PowerReading | undefined;

export function budgetProblems(files: readonly RulesFile[], readingFor: ReadingSource): RulesProblem[] {
  const targets = new Map<string, Target>();
  for (const file of files) for (const { document } of file.targets) for (const [name, target] of Object.entries(document.targets)) targets.set(name, target);
  const problems: RulesProblem[] = [];
  for (const { document, source } of files.flatMap((file) => file.policies)) {
    const policy = compilePolicy(document, targets);
    const ups = policy.ups.find((ref) => readingFor(ref) !== undefined);
    if (ups === undefined) continue;
    const reading = readingFor(ups)!;
    const plan = planPolicy(policy, reading);
    if (plan.marginMs === undefined || plan.marginMs >= 0) continue;
    const left = Math.round((plan.marginMs + plan.reserveMs) / 1000) * 1000;
    problems.push(problemAt(
      source.keyAt(document.reserve === undefined ? '/stages' : '/reserve'),
      'budget.reserve',
      `policy \`${document.name}\`: at worst its stages end ${formatDuration(plan.worstEndMs)} after the trigger with ` +
        `${left > 0 ? formatDuration(left) : 'no'} runtime left, less than its reserve of ${formatDuration(plan.reserveMs)} ` +
        `(${ups}: runtime ${formatDuration(reading.runtimeS * 1000)}${reading.loadW ? ` at ${reading.loadW} W` : ''}); ` +
        'shorten the timeouts, move stages earlier or trigger sooner',
      'warning',
    ));
  }
  return problems;
}
