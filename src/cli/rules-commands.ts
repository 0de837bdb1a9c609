import * as os from 'node:os';
import { UsageError } from '../errors';
import { type OverrideChange, setOverride } from '../policy/overrides';
import { formatProblem } from '../policy/problems';
import { validateRules } from '../policy/validate';
import { ensureSite } from '../store/sites';
import { Store } from '../store/store';
import { cliSettings, type GlobalOptions, printJson, println } from './common';
import { readingSource, type ReadingOptions } from './rules-readings';

/** `walnut rules validate [paths…] [--json] [--strict]`: exit 1 on any error (and on warnings with --strict). */
export async function rulesValidateCommand(paths: string[], options: ReadingOptions & { json?: boolean; strict?: boolean }): Promise<void> {
  const targets = paths.length > 0 ? paths : [cliSettings(options).rulesDir];
  // The budget needs a runtime: read one only for the UPSes the rules name.
  const report = await validateRules(targets, async (upsRefs) => (await readingSource(options, upsRefs)).source);
  const failed = report.errors > 0 || (options.strict === true && report.warnings > 0);
  if (failed) process.exitCode = 1;
  if (options.json) {
    printJson({ ok: !failed, ...report });
    return;
  }
  for (const problem of report.problems) println(formatProblem(problem));
  const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
  println(`checked ${plural(report.files.length, 'file')}: ${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}` +
    (options.strict && report.warnings > 0 ? ' (--strict: warnings fail)' : ''));
}

type Switch = 'on' | 'off' | 'clear';

/** `walnut rules override POLICY [--armed on|off|clear] [--dry-run on|off|clear]`: stored and audited. */
export async function rulesOverrideCommand(
  policy: string,
  options: GlobalOptions & { armed?: string; dryRun?: string; json?: boolean },
): Promise<void> {
  const change: OverrideChange = {};
  if (options.armed !== undefined) change.armed = parseSwitch('--armed', options.armed);
  if (options.dryRun !== undefined) change.dryRun = parseSwitch('--dry-run', options.dryRun);
  const store = await Store.open({ settings: cliSettings(options) });
  try {
    const site = await ensureSite(store.knex, cliSettings(options).site);
    const flags = await setOverride(store.knex, site.id, policy, change, `cli:${os.userInfo().username}`);
    if (options.json) printJson({ policy, ...flags });
    else println(`${policy}: armed ${flags.armed ? 'on' : 'off'}${flags.armedOverridden ? ' (override)' : ''}, dry run ${flags.dryRun ? 'on' : 'off'}${flags.dryRunOverridden ? ' (override)' : ''}`);
  } finally {
    await store.close();
  }
}

function parseSwitch(option: string, value: string): boolean | null {
  const switches: Record<Switch, boolean | null> = { on: true, off: false, clear: null };
  if (!(value in switches)) throw new UsageError(`${option} takes on, off or clear`);
  return switches[value as Switch];
}
