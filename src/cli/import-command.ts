/**
 * `walnut import FILE [--mode skip|overwrite|rename] [--dry-run] [--json]`:
 * hosts from an inventory become an imported-*.yaml Targets file in the rules
 * folder (or another hub's targets, from its archive). The store records an
 * applied import, and its master key opens archives this hub's key made.
 */
import type { Command } from 'commander';
import { keySourceFor } from '../archive/backups';
import { CONFLICT_MODES, runImport, type ConflictMode, type ImportReport } from '../archive/importers';
import { RulesError, UsageError } from '../errors';
import { formatProblem } from '../policy/problems';
import { displayPath } from '../policy/rules-dir';
import { ensureSite } from '../store/sites';
import { Store } from '../store/store';
import { cliSettings, type GlobalOptions, printJson, println } from './common';
import { readValueFile } from './hidden-input';

interface ImportCommandOptions extends GlobalOptions {
  passphraseFile?: string;
  mode?: string;
  dryRun?: boolean;
  json?: boolean;
}

export function registerImportCommand(program: Command, globals: (command: Command) => { dbPath?: string }): void {
  program
    .command('import')
    .description('turn hosts of an inventory (JSON, Ansible INI or YAML, or another hub\'s walNUT archive) into a Targets file imported-<name>.yaml in the rules folder; secrets are never imported')
    .argument('<file>', 'the inventory file or archive')
    .option('--passphrase-file <file>', 'for an archive made with a passphrase')
    .option('--mode <mode>', 'when a target of that name exists: skip, overwrite (only definitions in imported-*.yaml files) or rename (name-2, name-3…)', 'skip')
    .option('--dry-run', 'show the plan and the file, write nothing')
    .option('--json', 'machine-readable output')
    .action((file: string, options: { mode?: string; dryRun?: boolean; json?: boolean; passphraseFile?: string }, command: Command) => importCommand(file, { ...globals(command), ...options }));
}

export async function importCommand(file: string, options: ImportCommandOptions): Promise<void> {
  const mode = options.mode ?? 'skip';
  if (!(CONFLICT_MODES as readonly string[]).includes(mode)) throw new UsageError(`--mode takes ${CONFLICT_MODES.join(', ')}`);
  const settings = cliSettings(options);
  const passphrase = options.passphraseFile === undefined ? undefined : readValueFile(options.passphraseFile);
  const request = { file, rulesDir: settings.rulesDir, mode: mode as ConflictMode, dryRun: options.dryRun === true };
  let report: ImportReport;
  try {
    // The store records the import, and its master key opens an archive this hub's key made.
    const store = await Store.open({ settings });
    try {
      report = await runImport({
        ...request, archiveKeys: keySourceFor(store, passphrase),
        ...(request.dryRun ? {} : { knex: store.knex, siteId: (await ensureSite(store.knex, settings.site)).id }),
      });
    } finally {
      await store.close();
    }
  } catch (error) {
    // Every problem, not only the first the error's message carries.
    if (!(error instanceof RulesError)) throw error;
    if (options.json) printJson({ ok: false, problems: error.problems });
    else {
      for (const problem of error.problems) process.stderr.write(`${formatProblem(problem)}\n`);
      process.stderr.write('walnut: the rules would not validate after this import: nothing was written (--dry-run shows the file those lines refer to)\n');
    }
    process.exitCode = 1;
    return;
  }
  if (report.problems.length > 0) process.exitCode = 1;
  if (options.json) return printJson({ ok: report.problems.length === 0, ...report });
  printReport(report);
}

function printReport(report: ImportReport): void {
  const width = Math.max(4, ...report.plan.map((row) => row.name.length));
  println(`${'NAME'.padEnd(width)}  ${'ACTION'.padEnd(9)}  REASON`);
  for (const row of report.plan) {
    const renamed = row.importedAs === undefined ? '' : ` (was ${row.importedAs})`;
    println(`${row.name.padEnd(width)}  ${row.action.padEnd(9)}  ${row.reason}${renamed}`);
  }
  if (report.plan.length === 0) println('(no hosts to import)');
  for (const note of report.notes) process.stderr.write(`${note.severity}: ${note.origin} ${note.entry}: ${note.message}\n`);
  const { added, overwritten, renamed, skipped } = report.counts;
  const summary = `${added} added, ${overwritten} overwritten, ${renamed} renamed, ${skipped} skipped`;
  const target = displayPath(report.file);
  if (report.dryRun) {
    for (const problem of report.problems) println(formatProblem(problem));
    println(report.problems.length > 0
      ? `dry run: the rules would not validate after this import (${summary}); nothing would be written`
      : `dry run: would write ${target} (${summary}):`);
    if (report.problems.length === 0) process.stdout.write(`\n${report.yaml}`);
    return;
  }
  println(report.written.length > 0 ? `wrote ${report.written.map(displayPath).join(', ')} (${summary})` : `nothing to write: ${target} is up to date (${summary})`);
}
