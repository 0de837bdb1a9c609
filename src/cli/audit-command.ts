/** `walnut audit`: who changed what, when and from where (newest last). */
import type { Command } from 'commander';
import { UsageError } from '../errors';
import { parseDuration } from '../policy/duration';
import { readAuditTrail } from '../store/audit-trail';
import { Store } from '../store/store';
import { cliSettings, type GlobalOptions, printJson, println } from './common';

type Globals = (command: Command) => GlobalOptions;

interface AuditOptions extends GlobalOptions {
  since?: string;
  action?: string;
  limit?: string;
  allSites?: boolean;
  json?: boolean;
}

/** `--since 2h30m` (ago) or an ISO date. */
export function parseSince(text: string, now = Date.now()): number {
  const duration = parseDuration(text);
  if (duration !== undefined) return now - duration;
  const date = Date.parse(text);
  if (Number.isNaN(date)) throw new UsageError(`--since "${text}" is neither a duration (e.g. 30m, 2h, 48h) nor an ISO date (e.g. 2026-11-22T10:00:00Z)`);
  return date;
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return 100;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new UsageError(`--limit "${text}" must be a whole number from 1 to 100000`);
  return limit;
}

const brief = (value: unknown): string => (value === null ? '-' : JSON.stringify(value));

export async function auditCommand(options: AuditOptions): Promise<void> {
  const limit = parseLimit(options.limit);
  const since = options.since === undefined ? undefined : parseSince(options.since);
  const settings = cliSettings(options);
  const store = await Store.open({ settings });
  try {
    const rows = await readAuditTrail(store.knex, {
      limit, ...(since === undefined ? {} : { since }), ...(options.action === undefined ? {} : { actionPrefix: options.action }),
      ...(options.allSites ? {} : { site: settings.site }),
    });
    if (options.json) return printJson(rows.map((row) => ({ ...row, time: new Date(row.ts).toISOString() })));
    if (rows.length === 0) return println('no audit rows match');
    for (const row of rows) {
      const from = row.ip === null ? '' : `  from ${row.ip}`;
      const site = options.allSites ? `${(row.site ?? '(all)').padEnd(12)} ` : '';
      println(`${new Date(row.ts).toISOString()}  ${site}${row.actor.padEnd(20)} ${row.action.padEnd(26)} ${row.resource}  before ${brief(row.before)}  after ${brief(row.after)}${from}`);
    }
  } finally {
    await store.close();
  }
}

export function registerAuditCommand(program: Command, globals: Globals): void {
  program
    .command('audit')
    .description('the audit trail: every change, who made it (cli:, api:, mqtt:, rules), from where; newest last, never a secret value')
    .option('--since <duration|iso>', 'only rows newer than this: a duration ago (30m, 24h) or an ISO date')
    .option('--action <prefix>', 'only actions starting with this (e.g. apikey, policy.override, secret)')
    .option('--limit <n>', 'the newest N rows (default 100)')
    .option('--all-sites', 'every site of a fleet database, each row with its site (default: this hub\'s WALNUT_SITE and changes to the whole database)')
    .option('--json', 'machine-readable output')
    .action((options: { since?: string; action?: string; limit?: string; allSites?: boolean; json?: boolean }, command: Command) => auditCommand({ ...globals(command), ...options }));
}
