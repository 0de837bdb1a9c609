/**
 * Which versions of the rules files run. A file is accepted only when it is
 * valid on its own and the whole set stays valid with it; otherwise the last
 * good version of that file keeps running (or, at start, the file is left out).
 */
import type { RulesProblem } from '../errors';
import { isError } from './problems';
import { hasErrors, type RulesFile } from './rules-file';
import { checkSemantics, type DefinedTarget } from './semantic';
import type { PolicyDocument } from './spec';
import type { SourceDocument } from './yaml-source';

export interface LoadedPolicy {
  name: string;
  file: string;
  document: PolicyDocument;
  source: SourceDocument;
}

export interface RuleSet {
  /** Accepted files by path: the versions that run. */
  files: ReadonlyMap<string, RulesFile>;
  targets: ReadonlyMap<string, DefinedTarget>;
  policies: ReadonlyMap<string, LoadedPolicy>;
  /** Warnings of the accepted files and of the set as a whole. */
  warnings: RulesProblem[];
}

export interface RuleSetOutcome {
  ruleSet: RuleSet;
  /** Files whose current text is not running, with why. */
  rejected: Map<string, RulesProblem[]>;
}

export const EMPTY_RULE_SET: RuleSet = { files: new Map(), targets: new Map(), policies: new Map(), warnings: [] };

/** The start: every file that is valid with the others runs; files that break the set are left out. */
export function buildRuleSet(candidates: readonly RulesFile[]): RuleSetOutcome {
  const rejected = new Map<string, RulesProblem[]>();
  let accepted = candidates.filter((file) => {
    if (hasErrors(file)) rejected.set(file.file, file.problems);
    return !hasErrors(file);
  });
  // Leave out the files the set's errors point at until what remains is consistent.
  for (;;) {
    const errors = checkSemantics(accepted).filter(isError);
    if (errors.length === 0) break;
    const blamed = new Set(errors.map((problem) => problem.file));
    for (const file of blamed) rejected.set(file, [...(rejected.get(file) ?? []), ...errors.filter((problem) => problem.file === file)]);
    const remaining = accepted.filter((file) => !blamed.has(file.file));
    if (remaining.length === accepted.length) break; // errors outside every file: cannot happen, but never loop
    accepted = remaining;
  }
  return { ruleSet: assemble(accepted), rejected };
}

/**
 * One file changed (or was removed, when `changed` is undefined). The change runs
 * only if the file and the whole set stay valid; else `current` is kept.
 */
export function applyFileChange(current: RuleSet, path: string, changed: RulesFile | undefined): RuleSetOutcome {
  if (changed && hasErrors(changed)) {
    return { ruleSet: current, rejected: new Map([[path, changed.problems]]) };
  }
  const files = new Map(current.files);
  if (changed) files.set(path, changed);
  else files.delete(path);
  const candidate = [...files.values()];
  const errors = checkSemantics(candidate).filter(isError);
  if (errors.length > 0) return { ruleSet: current, rejected: new Map([[path, errors]]) };
  return { ruleSet: assemble(candidate), rejected: new Map() };
}

function assemble(files: readonly RulesFile[]): RuleSet {
  const targets = new Map<string, DefinedTarget>();
  const policies = new Map<string, LoadedPolicy>();
  for (const file of files) {
    for (const { document, source } of file.targets) {
      for (const [name, target] of Object.entries(document.targets)) {
        targets.set(name, { name, target, source, pointer: `/targets/${name}` });
      }
    }
    for (const { document, source } of file.policies) {
      policies.set(document.name, { name: document.name, file: file.file, document, source });
    }
  }
  const warnings = [...files.flatMap((file) => file.problems), ...checkSemantics(files)].filter((problem) => !isError(problem));
  return { files: new Map(files.map((file) => [file.file, file])), targets, policies, warnings };
}
