/**
 * One rules file read on its own: YAML with positions, apiVersion migration,
 * schema check. What needs the other files (names, depends_on, stages that
 * refer to targets) is semantic.ts.
 */
import { createHash } from 'node:crypto';
import { RulesError, type RulesProblem } from '../errors';
import { migrateDocument } from './migrate';
import { isError } from './problems';
import { checkSchema } from './schema-check';
import type { PolicyDocument, TargetsDocument } from './spec';
import { parseRulesYaml, type SourceDocument } from './yaml-source';

export interface Located<T> {
  document: T;
  source: SourceDocument;
}

export interface RulesFile {
  file: string;
  sha256: string;
  targets: Located<TargetsDocument>[];
  policies: Located<PolicyDocument>[];
  /** Problems found in this file alone (YAML, migration, schema). */
  problems: RulesProblem[];
}

export function readRulesFile(file: string, text: string): RulesFile {
  const result: RulesFile = {
    file, sha256: createHash('sha256').update(text).digest('hex'), targets: [], policies: [], problems: [],
  };
  let sources: SourceDocument[];
  try {
    sources = parseRulesYaml(text, file);
  } catch (error) {
    if (error instanceof RulesError) return { ...result, problems: error.problems };
    throw error;
  }
  for (const source of sources) {
    if (source.value === null || source.value === undefined) continue; // an empty document (a trailing `---`)
    const migrated = migrateDocument(source);
    result.problems.push(...migrated.problems);
    if (migrated.problems.some(isError)) continue;
    const checked = checkSchema(migrated.value, source);
    result.problems.push(...checked.problems);
    const document = checked.document;
    if (document?.kind === 'Targets') result.targets.push({ document, source });
    if (document?.kind === 'Policy') result.policies.push({ document, source });
  }
  if (sources.every((source) => source.value === null || source.value === undefined)) {
    result.problems.push({ file, line: 1, column: 1, severity: 'warning', code: 'empty', message: 'the file holds no document' });
  }
  return result;
}

export const hasErrors = (file: RulesFile): boolean => file.problems.some(isError);
