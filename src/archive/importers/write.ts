/**
 * The plan as files: the new text of `imported-<source>.yaml` (merged with what
 * an earlier import of the same source wrote) and of any other imported file a
 * replaced definition leaves. The folder as it would then be is checked in
 * memory with the hub's own loader; only a clean result is written, each file
 * through a temp file and a rename so the hub never reads half a file.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { RulesError, UsageError, type RulesProblem } from '../../errors';
import { isError, sortProblems } from '../../policy/problems';
import { buildRuleSet } from '../../policy/rule-set';
import { displayPath } from '../../policy/rules-dir';
import { hasErrors, readRulesFile, type RulesFile } from '../../policy/rules-file';
import type { Target } from '../../policy/spec';
import type { PlanEntry } from './plan';
import { recordedSource, renderTargetsFile, toTarget } from './render';
import type { ImportNote } from './types';

export interface FileChange {
  /** Absolute path. */
  path: string;
  text: string;
}

export interface PreparedImport {
  /** Absolute path of `imported-<source>.yaml`. */
  destination: string;
  /** Its text after the import (what a dry run shows). */
  yaml: string;
  /** Files whose text changes, the destination last. */
  changes: FileChange[];
  /** Errors of the folder as it would be: any means nothing may be written. */
  problems: RulesProblem[];
  /** What to check about the generated targets (a default user, a guessed node). */
  notes: ImportNote[];
}

/** `Hosts.INI` → `imported-hosts.yaml`: the source's name without its extension, as a slug. */
export function importedFileName(source: string): string {
  const base = path.basename(source, path.extname(source));
  const slug = base.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64) || 'hosts';
  return `imported-${slug}.yaml`;
}

/**
 * Computes every file's new text and validates the result; writes nothing.
 * `current` is the folder as loadRulesDir read it.
 */
export async function prepareImport(rulesDir: string, source: string, plan: readonly PlanEntry[], current: readonly RulesFile[]): Promise<PreparedImport> {
  const destination = path.resolve(rulesDir, importedFileName(source));
  const notes: ImportNote[] = [];
  const targets = await importedTargets(destination);
  const removals = new Map<string, string[]>();
  for (const entry of plan) {
    if (entry.action === 'skip') continue;
    const { target, notes: checks } = toTarget(entry.host, entry.name);
    for (const message of checks) notes.push({ severity: 'warning', entry: entry.name, origin: entry.host.origin, message });
    targets.set(entry.name, target); // replaces in place when the old definition is in this very file
    const old = entry.action === 'overwrite' && entry.existingFile !== undefined ? path.resolve(entry.existingFile) : undefined;
    if (old !== undefined && old !== destination) removals.set(old, [...(removals.get(old) ?? []), entry.name]);
  }

  const changes: FileChange[] = [];
  for (const [file, names] of removals) {
    const left = await importedTargets(file);
    for (const name of names) left.delete(name);
    const text = await fs.readFile(file, 'utf8');
    changes.push({ path: file, text: renderTargetsFile(Object.fromEntries(left), recordedSource(text) ?? 'an earlier import') });
  }
  const yaml = renderTargetsFile(Object.fromEntries(targets), path.basename(source));
  const before = await readIfExists(destination);
  // Nothing to add and no file yet: do not create an empty one.
  if (before === undefined ? targets.size > 0 : before !== yaml) changes.push({ path: destination, text: yaml });

  return { destination, yaml, changes, problems: validateCandidate(current, changes), notes };
}

/** Writes the changes, removals first: the hub then never sees a name defined twice. */
export async function writeImport(prepared: PreparedImport): Promise<string[]> {
  if (prepared.problems.length > 0) throw new RulesError(prepared.problems);
  for (const change of prepared.changes) await writeAtomically(change.path, change.text);
  return prepared.changes.map((change) => change.path);
}

/** The folder with the changes applied, checked as buildRuleSet checks it at the hub's start. */
function validateCandidate(current: readonly RulesFile[], changes: readonly FileChange[]): RulesProblem[] {
  const files = new Map(current.map((file) => [file.file, file]));
  for (const change of changes) {
    const name = displayPath(change.path);
    files.set(name, readRulesFile(name, change.text));
  }
  // Warnings (every imported target is unused by a policy at first) do not stop an import.
  const { rejected } = buildRuleSet([...files.values()]);
  return sortProblems([...rejected.values()].flat().filter(isError));
}

/** The targets an earlier import wrote to `file` (none when it does not exist), in file order. */
async function importedTargets(file: string): Promise<Map<string, Target>> {
  const text = await readIfExists(file);
  if (text === undefined) return new Map();
  const read = readRulesFile(displayPath(file), text);
  // Only a file that is exactly what an import writes may be rewritten; anything else is the user's.
  if (hasErrors(read) || read.policies.length > 0 || read.targets.length !== 1) {
    throw new UsageError(`${displayPath(file)} is not a plain Targets file as walnut import writes it (it has errors, policies or several documents): fix it, or move your additions to another file`);
  }
  return new Map(Object.entries(read.targets[0]!.document.targets));
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A hidden temp file in the same folder (not a rules file, same filesystem), flushed, then renamed over. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}
