/**
 * `walnut export <name>`: runs one exporter against the store and the rules
 * folder, to standard output or atomically to a file (temp file, mode 0600,
 * then rename: a reader never sees half an export), with a one-line summary.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { WALNUT_VERSION } from '../../settings';
import type { ExportContext, ExportResult } from '../archive/exporter';
import { EXPORTERS } from '../archive/exporters';
import { checkExport, runExport } from '../archive/export-runner';
import { UsageError } from '../errors';
import { buildRuleSet } from '../policy/rule-set';
import { loadRulesDir } from '../policy/rules-dir';
import { ensureSite } from '../store/sites';
import { Store } from '../store/store';
import { cliSettings, formatBytes, type GlobalOptions, printJson } from './common';

interface ExportCommandOptions extends GlobalOptions {
  format?: string;
  out?: string;
  config?: string;
  since?: string;
  until?: string;
  what?: string;
  json?: boolean;
}

function parseTime(text: string, flag: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`${flag} must be a date and time in ISO 8601, such as 2024-05-01T00:00:00Z`);
  return ms;
}

/** --config JSON, with --what/--since/--until laid over it. */
export function exportConfig(options: ExportCommandOptions): Record<string, unknown> {
  let config: unknown = {};
  if (options.config !== undefined) {
    try {
      config = JSON.parse(options.config);
    } catch {
      throw new UsageError('--config must be a JSON object, such as \'{"what":"samples"}\'');
    }
    if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new UsageError('--config must be a JSON object');
  }
  return {
    ...(config as Record<string, unknown>),
    ...(options.what === undefined ? {} : { what: options.what }),
    ...(options.since === undefined ? {} : { since: parseTime(options.since, '--since') }),
    ...(options.until === undefined ? {} : { until: parseTime(options.until, '--until') }),
  };
}

/** Writes beside the file, then renames over it; the temp file goes if anything fails. */
async function exportToFile(file: string, run: (out: fs.WriteStream, file: string) => Promise<ExportResult>): Promise<ExportResult> {
  const target = path.resolve(file);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const out = fs.createWriteStream(temp, { flags: 'wx', mode: 0o600, flush: true });
  try {
    await once(out, 'ready');
  } catch (error) {
    throw new UsageError(`cannot write beside ${target}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    const result = await run(out, target);
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
    await fs.promises.rename(temp, target);
    return result;
  } catch (error) {
    out.destroy();
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
}

export async function exportCommand(name: string, options: ExportCommandOptions): Promise<void> {
  if (options.json && options.out === undefined) throw new UsageError('--json prints the result on standard output, which carries the export without --out: give --out FILE');
  const config = exportConfig(options);
  checkExport(name, options.format, config); // a wrong name or config fails before the store or any file is opened
  const settings = cliSettings(options);
  const { ruleSet, rejected } = buildRuleSet(await loadRulesDir(settings.rulesDir));
  for (const [file] of rejected) process.stderr.write(`warning: ${file} is not loaded (see walnut rules validate)\n`);
  const store = await Store.open({ settings });
  try {
    const site = await ensureSite(store.knex, settings.site);
    const context: ExportContext = {
      knex: store.knex, siteId: site.id, siteName: settings.site, rules: ruleSet,
      mqtt: { baseTopic: settings.mqtt.baseTopic, discoveryPrefix: settings.mqtt.discoveryPrefix }, version: WALNUT_VERSION,
    };
    const exportTo = (out: Writable, file?: string): Promise<ExportResult> =>
      runExport(context, name, { config, out, ...(options.format === undefined ? {} : { format: options.format }), ...(file === undefined ? {} : { path: file }) });
    const result = options.out === undefined ? await exportTo(process.stdout) : await exportToFile(options.out, exportTo);
    if (options.json) return printJson(result);
    process.stderr.write(`exported ${result.count} item${result.count === 1 ? '' : 's'} with ${result.exporter} as ${result.format}` +
      ` to ${result.path ?? 'standard output'} (${formatBytes(result.size)}, sha256 ${result.sha256})\n`);
  } finally {
    await store.close();
  }
}

export function registerExportCommand(program: Command, globals: (command: Command) => { dbPath?: string }): void {
  program
    .command('export')
    .description('write what the hub knows in another tool\'s format: Home Assistant, /etc/hosts, Ansible, Prometheus, upsmon, CSV, JSON lines')
    .argument('<name>', `exporter: ${EXPORTERS.map((exporter) => `${exporter.name} (${exporter.formats.join('|')})`).join(', ')}`)
    .option('--format <format>', 'output format (default: the exporter\'s first)')
    .option('--out <file>', 'write to this file (atomically, mode 0600) instead of standard output')
    .option('--config <json>', 'exporter config as a JSON object')
    .option('--since <iso>', 'csv/json: from this time (inclusive)')
    .option('--until <iso>', 'csv/json: up to this time (exclusive)')
    .option('--what <samples|events>', 'csv/json: which history to export')
    .option('--json', 'with --out: print the result (count, size, sha256) as JSON')
    .action((name: string, options: ExportCommandOptions, command: Command) => exportCommand(name, { ...globals(command), ...options }));
}
