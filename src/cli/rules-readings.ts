import { existsSync } from 'node:fs';
import { UsageError } from '../errors';
import type { ReadingSource } from '../policy/budget';
import { parseDuration } from '../policy/duration';
import type { PowerReading } from '../policy/plan';
import { latestReading } from '../policy/readings';
import { ensureSite } from '../store/sites';
import { Store } from '../store/store';
import { cliSettings, type GlobalOptions } from './common';

export interface ReadingOptions extends GlobalOptions {
  runtime?: string;
  loadWatts?: string;
}

/**
 * Where the budget's runtime comes from: `--runtime` (and `--load-watts`) for
 * every UPS, else the newest sample the hub recorded for each UPS, when there
 * is a database to read. Undefined readings leave the budget unchecked.
 */
export async function readingSource(options: ReadingOptions, upsRefs: readonly string[]): Promise<{ source: ReadingSource; from: string }> {
  if (options.runtime !== undefined) {
    const ms = parseDuration(options.runtime);
    if (ms === undefined) throw new UsageError('--runtime takes a duration such as 25m or 1h10m');
    const loadW = options.loadWatts === undefined ? undefined : Number(options.loadWatts);
    if (loadW !== undefined && !(loadW > 0)) throw new UsageError('--load-watts takes a number of watts above 0');
    const reading: PowerReading = { runtimeS: ms / 1000, ...(loadW === undefined ? {} : { loadW }) };
    return { source: () => reading, from: '--runtime' };
  }
  const settings = cliSettings(options);
  if (!existsSync(settings.dbPath) || upsRefs.length === 0) return { source: () => undefined, from: 'none' };
  const readings = new Map<string, PowerReading>();
  try {
    const store = await Store.open({ settings, migrate: false });
    try {
      const site = await ensureSite(store.knex, settings.site);
      for (const ref of upsRefs) {
        const reading = await latestReading(store.knex, site.id, ref);
        if (reading) readings.set(ref, reading);
      }
    } finally {
      await store.close();
    }
  } catch {
    return { source: () => undefined, from: 'none' };
  }
  return { source: (ref) => readings.get(ref), from: settings.dbPath };
}
