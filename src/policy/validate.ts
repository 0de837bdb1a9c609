/**
 * `walnut rules validate`: every problem in a set of files, checked together
 * as the hub would load them (a policy may use targets from another file).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { RulesProblem } from '../errors';
import { UsageError } from '../errors';
import { isError, sortProblems } from './problems';
import { displayPath, listRulesFiles, loadRulesFile } from './rules-dir';
import type { RulesFile } from './rules-file';
import { budgetProblems, type ReadingSource } from './budget';
import { checkSemantics } from './semantic';

export interface ValidationReport {
  files: string[];
  problems: RulesProblem[];
  errors: number;
  warnings: number;
}

/** Where the budget's runtime comes from, asked once for the UPSes the policies name. */
export type ReadingsFor = (upsRefs: readonly string[]) => Promise<ReadingSource>;

const NO_READINGS: ReadingsFor = () => Promise.resolve(() => undefined);

/** Folders contribute their top-level *.yaml files; a file named explicitly is read whatever its name. */
export async function validateRules(paths: readonly string[], readingsFor: ReadingsFor = NO_READINGS): Promise<ValidationReport> {
  const notes: RulesProblem[] = [];
  const names: string[] = [];
  for (const given of paths) {
    const stat = await fs.stat(given).catch(() => undefined);
    if (!stat) throw new UsageError(`${given}: no such file or folder`);
    if (!stat.isDirectory()) {
      names.push(given);
      continue;
    }
    names.push(...(await listRulesFiles(given)));
    for (const entry of await fs.readdir(given)) {
      if (entry.endsWith('.yml')) {
        notes.push({
          file: displayPath(path.join(given, entry)), line: 1, column: 1, severity: 'warning', code: 'ignored',
          message: 'not loaded: only *.yaml files are rules (rename it to .yaml)',
        });
      }
    }
  }
  const files = (await Promise.all([...new Set(names)].map(loadRulesFile))).filter((file): file is RulesFile => file !== undefined);
  const semantic = checkSemantics(files);
  // The budget needs consistent rules: it is computed only when nothing else is wrong.
  const policyUps = [...new Set(files.flatMap((file) => file.policies.flatMap(({ document }) => document.ups ?? document.group?.members ?? [])))];
  const budget = [...files.flatMap((file) => file.problems), ...semantic].some(isError) ? [] : budgetProblems(files, await readingsFor(policyUps));
  const problems = sortProblems([...notes, ...files.flatMap((file) => file.problems), ...semantic, ...budget]);
  const errors = problems.filter(isError).length;
  return { files: files.map((file) => file.file), problems, errors, warnings: problems.length - errors };
}
