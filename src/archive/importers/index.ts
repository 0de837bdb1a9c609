/**
 * `walnut import FILE`: hosts from an inventory become targets in the rules
 * folder (targets live in YAML; the hosts table follows from the rules).
 * Detect the format, parse, plan against the current targets, check the
 * folder as it would be, then write (or, in a dry run, only show) the file.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Knex } from 'knex';
import { UsageError, type RulesProblem } from '../../errors';
import { buildRuleSet } from '../../policy/rule-set';
import { loadRulesDir } from '../../policy/rules-dir';
import type { KeySource } from '../reader';
import { parseAnsibleIni } from './ansible-ini';
import { parseArchive } from './archive';
import { parseAnsibleYaml } from './ansible-yaml';
import { detectFormat } from './detect';
import { recordImport } from './history';
import { parseJsonInventory } from './json-inventory';
import { planImport, type ConflictMode, type PlanAction } from './plan';
import { prepareImport, writeImport } from './write';
import type { ImportCounts, ImportFormat, ImportNote, ImportedType, ParseResult } from './types';

export interface ImportOptions {
  file: string;
  rulesDir: string;
  mode: ConflictMode;
  dryRun: boolean;
  /** Where the history goes; without it an applied import records none. */
  knex?: Knex;
  siteId?: number;
  /** Default `cli:<os user>`. */
  actor?: string;
  /** For a walNUT archive: how to open it (this hub's master key, or the archive's passphrase). */
  archiveKeys?: KeySource;
}

export interface ImportPlanRow {
  /** The target's name in the rules. */
  name: string;
  /** The host's name as imported, when rename gave it another. */
  importedAs?: string;
  type: ImportedType;
  host: string;
  action: PlanAction;
  reason: string;
  conflict?: boolean;
}

export interface ImportReport {
  source: string;
  format: ImportFormat;
  mode: ConflictMode;
  dryRun: boolean;
  /** The imported-*.yaml file (absolute). */
  file: string;
  /** Files written (none in a dry run, or when nothing changed). */
  written: string[];
  /** The imported file's text after the import. */
  yaml: string;
  plan: ImportPlanRow[];
  notes: ImportNote[];
  /** Why the result would not validate (a dry run reports; an apply throws a RulesError instead). */
  problems: RulesProblem[];
  counts: ImportCounts;
}

const PARSERS: Record<Exclude<ImportFormat, 'archive'>, (text: string, label: string) => ParseResult> = {
  'json-inventory': parseJsonInventory,
  'ansible-ini': parseAnsibleIni,
  'ansible-yaml': parseAnsibleYaml,
};

export async function runImport(options: ImportOptions): Promise<ImportReport> {
  const bytes = await fs.readFile(options.file).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'ENOENT' ? new UsageError(`${options.file}: no such file`) : error;
  });
  const format = detectFormat(bytes, options.file);
  const label = path.basename(options.file);
  // An archive brings another hub's targets (to restore a whole store: walnut backup restore).
  const parsed = format === 'archive'
    ? await parseArchive(options.file, label, options.archiveKeys ?? {})
    : PARSERS[format](bytes.toString('utf8').replace(/^\uFEFF/, ''), label);

  const current = await loadRulesDir(options.rulesDir).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'ENOENT' ? new UsageError(`${options.rulesDir}: the rules folder does not exist`) : error;
  });
  const plan = planImport(parsed.hosts, buildRuleSet(current).ruleSet, options.mode);
  const prepared = await prepareImport(options.rulesDir, options.file, plan, current);
  const notes = [...parsed.notes, ...prepared.notes];
  const count = (action: PlanAction): number => plan.filter((entry) => entry.action === action).length;
  const counts: ImportCounts = {
    added: count('add'), overwritten: count('overwrite'), renamed: count('rename'), skipped: count('skip'),
    conflicts: plan.filter((entry) => entry.conflict).length,
    rejected: notes.filter((note) => note.severity === 'error').length,
    warnings: notes.filter((note) => note.severity === 'warning').length,
  };
  const report: ImportReport = {
    source: options.file, format, mode: options.mode, dryRun: options.dryRun, file: prepared.destination, written: [],
    yaml: prepared.yaml, notes, problems: prepared.problems, counts,
    plan: plan.map((entry) => ({
      name: entry.name, ...(entry.name === entry.host.name ? {} : { importedAs: entry.host.name }),
      type: entry.host.type, host: entry.host.host, action: entry.action, reason: entry.reason,
      ...(entry.conflict ? { conflict: true } : {}),
    })),
  };
  if (options.dryRun) return report;

  report.written = await writeImport(prepared);
  if (options.knex) {
    if (options.siteId === undefined) throw new UsageError('runImport: a siteId is needed with knex to record the import');
    await recordImport(options.knex, {
      siteId: options.siteId, actor: options.actor ?? `cli:${osUser()}`, format, source: label,
      file: path.basename(prepared.destination), counts,
    });
  }
  return report;
}

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown'; // no passwd entry (some containers)
  }
}

export { CONFLICT_MODES, type ConflictMode } from './plan';
export { detectFormat } from './detect';
export type { ImportFormat, ImportNote, ImportedHost } from './types';
