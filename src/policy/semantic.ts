/**
 * Checks that need every file at once: names unique, references resolvable,
 * depends_on acyclic, ops a target can carry out, and stage orders that do not
 * cut power to something a later step still needs.
 */
import type { RulesProblem } from '../errors';
import { durationMs } from './duration';
import { problemAt, type SourceLocation } from './problems';
import type { Located, RulesFile } from './rules-file';
import { editDistance } from './schema-check';
import {
  INVERSE_OPS, POWER_CUTTING_OPS, SUPPORTED_OPS, type Action, type PolicyDocument, type Target,
} from './spec';
import { escapePointerToken, type SourceDocument } from './yaml-source';

export interface DefinedTarget {
  name: string;
  target: Target;
  source: SourceDocument;
  pointer: string;
}

/** An action of a policy with where it is written. */
interface PlacedAction {
  action: Action;
  stage: number;
  index: number;
  pointer: string;
}

const SELF_TYPES = new Set(['ssh', 'proxmox']);

export function checkSemantics(files: readonly RulesFile[]): RulesProblem[] {
  const problems: RulesProblem[] = [];
  const report = (where: SourceLocation, check: string, message: string, severity: 'error' | 'warning' = 'error') =>
    problems.push(problemAt(where, `semantic.${check}`, message, severity));
  const targets = collectTargets(files, report);
  checkTargets(targets, report);
  const policies = files.flatMap((file) => file.policies);
  const policyNames = new Map<string, SourceDocument>();
  const used = new Set<string>();
  for (const { document, source } of policies) {
    const first = policyNames.get(document.name);
    if (first) report(source.valueAt('/name'), 'duplicate_policy', `policy \`${document.name}\` is already defined at ${at(first.valueAt('/name'))}`);
    else policyNames.set(document.name, source);
    checkPolicy({ document, source }, targets, report);
    for (const placed of actionsOf(document)) used.add(placed.action.target);
  }
  for (const defined of targets.values()) for (const dependency of defined.target.depends_on ?? []) used.add(dependency);
  for (const [name, defined] of targets) {
    if (!used.has(name)) report(defined.source.keyAt(defined.pointer), 'unused_target', `target \`${name}\` is used by no policy`, 'warning');
  }
  return problems;
}

type Report = (where: SourceLocation, check: string, message: string, severity?: 'error' | 'warning') => void;

function collectTargets(files: readonly RulesFile[], report: Report): Map<string, DefinedTarget> {
  const targets = new Map<string, DefinedTarget>();
  for (const { document, source } of files.flatMap((file) => file.targets)) {
    for (const [name, target] of Object.entries(document.targets)) {
      const pointer = `/targets/${escapePointerToken(name)}`;
      const first = targets.get(name);
      if (first) {
        report(source.keyAt(pointer), 'duplicate_target', `target \`${name}\` is already defined at ${at(first.source.keyAt(first.pointer))}`);
      } else {
        targets.set(name, { name, target, source, pointer });
      }
    }
  }
  return targets;
}

function checkTargets(targets: Map<string, DefinedTarget>, report: Report): void {
  let self: DefinedTarget | undefined;
  for (const defined of targets.values()) {
    const { name, target, source, pointer } = defined;
    (target.depends_on ?? []).forEach((dependency, index) => {
      if (!targets.has(dependency)) {
        report(source.valueAt(`${pointer}/depends_on/${index}`), 'unknown_target', `\`${name}\` depends on \`${dependency}\`, which is not a target${didYouMean(dependency, targets)}`);
      }
    });
    if (target.self) {
      if (!SELF_TYPES.has(target.type)) {
        report(source.keyAt(`${pointer}/self`), 'self_type', `\`self: true\` marks the hub's own host: an ssh or proxmox target, not ${target.type}`);
      } else if (self) {
        report(source.keyAt(`${pointer}/self`), 'self_twice', `only one target can be the hub's own host; \`${self.name}\` already is`);
      } else {
        self = defined;
      }
    }
    if (target.type === 'proxmox' && target.guests?.ids && target.exclude) {
      const both = target.guests.ids.filter((id) => target.exclude!.includes(id));
      if (both.length > 0) {
        report(source.keyAt(`${pointer}/exclude`), 'exclude_overlap', `guests ${both.join(', ')} are both listed and excluded; they are left alone`, 'warning');
      }
    }
  }
  for (const cycle of dependencyCycles(targets)) {
    const start = targets.get(cycle[0]!)!;
    report(start.source.keyAt(`${start.pointer}/depends_on`), 'dependency_cycle', `depends_on goes round in a circle: ${cycle.join(' → ')}`);
  }
}

/** Each cycle once, as the list of names from its first-defined member back to it. */
function dependencyCycles(targets: Map<string, DefinedTarget>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    path.push(name);
    for (const next of targets.get(name)?.target.depends_on ?? []) {
      if (!targets.has(next)) continue;
      if (state.get(next) === 'visiting') cycles.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(name, 'done');
  };
  for (const name of targets.keys()) if (!state.has(name)) visit(name);
  return cycles;
}

/** Every target `name` needs powered, directly or through others. */
function dependenciesOf(name: string, targets: Map<string, DefinedTarget>): Set<string> {
  const found = new Set<string>();
  const pending = [...(targets.get(name)?.target.depends_on ?? [])];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (found.has(next)) continue;
    found.add(next);
    pending.push(...(targets.get(next)?.target.depends_on ?? []));
  }
  return found;
}

function checkPolicy({ document, source }: Located<PolicyDocument>, targets: Map<string, DefinedTarget>, report: Report): void {
  const stageNames = new Map<string, number>();
  let previousAfter = 0;
  document.stages.forEach((stage, index) => {
    const first = stageNames.get(stage.name);
    if (first !== undefined) report(source.valueAt(`/stages/${index}/name`), 'duplicate_stage', `stage \`${stage.name}\` is already the name of stage ${first + 1}`);
    else stageNames.set(stage.name, index);
    const after = stage.after === undefined ? previousAfter : durationMs(stage.after);
    if (after < previousAfter) {
      report(source.valueAt(`/stages/${index}/after`), 'stage_order', `stage \`${stage.name}\` is planned before the stage above it; stages run in the order written`);
    }
    previousAfter = Math.max(after, previousAfter);
  });
  const pointOfNoReturn = document.point_of_no_return;
  if (pointOfNoReturn !== undefined && !stageNames.has(pointOfNoReturn)) {
    report(source.valueAt('/point_of_no_return'), 'unknown_stage', `point_of_no_return names \`${pointOfNoReturn}\`, which is not a stage of this policy`);
  }
  if (document.group && document.group.min_healthy > document.group.members.length) {
    report(source.valueAt('/group/min_healthy'), 'group_quorum', `min_healthy is ${document.group.min_healthy} but the group has ${document.group.members.length} members: it could never be met`);
  }

  const placed = actionsOf(document);
  const lastStage = document.stages.length - 1;
  for (const { action, stage, pointer } of placed) {
    const defined = targets.get(action.target);
    if (!defined) {
      report(source.valueAt(`${pointer}/target`), 'unknown_target', `no target named \`${action.target}\`${didYouMean(action.target, targets)}`);
      continue;
    }
    const { type } = defined.target;
    if (!SUPPORTED_OPS[type].includes(action.op)) {
      report(source.valueAt(`${pointer}/op`), 'unsupported_op', `a ${type} target cannot \`${action.op}\`; it can: ${SUPPORTED_OPS[type].join(', ')}`);
    }
    if (stage < 0) continue; // restore actions: the rules below are about shutting down
    if (defined.target.self && stage !== lastStage) {
      report(source.valueAt(`${pointer}/target`), 'self_not_last', `\`${action.target}\` is the hub's own host (self: true): it must go down in the last stage, \`${document.stages[lastStage]!.name}\``);
    }
    if (type === 'ups' && stage !== lastStage) {
      report(source.valueAt(`${pointer}/target`), 'ups_not_last', `\`${action.target}\` powers off the UPS: that belongs in the last stage, \`${document.stages[lastStage]!.name}\``);
    }
  }
  checkPowerOrder(document, placed.filter((entry) => entry.stage >= 0), targets, source, report);
  checkInverseRestore(document, placed, targets, source, report);
}

/** A target switched off while something still to come depends on it. */
function checkPowerOrder(
  document: PolicyDocument, placed: PlacedAction[], targets: Map<string, DefinedTarget>, source: SourceDocument, report: Report,
): void {
  for (const cut of placed) {
    const cutTarget = targets.get(cut.action.target)?.target;
    // A UPS powers off only after its own ups.delay.shutdown, so the hosts it feeds halt first.
    if (!cutTarget || cutTarget.type === 'ups' || !POWER_CUTTING_OPS.includes(cut.action.op)) continue;
    const parallel = document.stages[cut.stage]!.parallel === true;
    for (const later of placed) {
      const after = later.stage > cut.stage || (later.stage === cut.stage && (parallel ? later !== cut : later.index > cut.index));
      if (!after || !dependenciesOf(later.action.target, targets).has(cut.action.target)) continue;
      const when = later.stage === cut.stage ? 'in the same stage' : `in stage \`${document.stages[later.stage]!.name}\``;
      report(source.valueAt(`${cut.pointer}/op`), 'power_order', `\`${cut.action.target}\` is cut in stage \`${document.stages[cut.stage]!.name}\`, but \`${later.action.target}\`, which depends on it, still has \`${later.action.op}\` to do ${when}`);
      break;
    }
  }
}

function checkInverseRestore(
  document: PolicyDocument, placed: PlacedAction[], targets: Map<string, DefinedTarget>, source: SourceDocument, report: Report,
): void {
  if (document.restore?.inverse !== true) return;
  const lost = [...new Set(placed
    .filter(({ action, stage }) => {
      const type = targets.get(action.target)?.target.type;
      return stage >= 0 && type !== undefined && INVERSE_OPS[type]?.[action.op] === undefined;
    })
    .map(({ action }) => action.target))];
  if (lost.length > 0) {
    report(source.keyAt('/restore/inverse'), 'no_inverse', `inverse restore cannot bring back ${lost.map((name) => `\`${name}\``).join(', ')} (no inverse op); list restore actions, e.g. a wol target`, 'warning');
  }
}

/** Stage actions, then restore actions (stage -1). */
function actionsOf(document: PolicyDocument): PlacedAction[] {
  const placed: PlacedAction[] = [];
  document.stages.forEach((stage, stageIndex) => stage.actions.forEach((action, index) => {
    placed.push({ action, stage: stageIndex, index, pointer: `/stages/${stageIndex}/actions/${index}` });
  }));
  (document.restore?.actions ?? []).forEach((action, index) => {
    placed.push({ action, stage: -1, index, pointer: `/restore/actions/${index}` });
  });
  return placed;
}

function didYouMean(name: string, targets: Map<string, DefinedTarget>): string {
  const close = [...targets.keys()].find((candidate) => editDistance(name, candidate) <= 2);
  return close ? ` (did you mean \`${close}\`?)` : '';
}

function at(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}
