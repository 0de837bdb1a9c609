/**
 * Backups and exports for the running hub (the archive node): the same code
 * as `walnut backup create` and `walnut export`, on the hub's open store. An
 * incremental backup builds on the newest archive this hub recorded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../logger';
import type { RulesService } from '../policy/rules-service';
import type { Store } from '../store/store';
import { createBackup, siteArchives } from './backups';
import { runExport } from './export-runner';
import type { ExportResult } from './exporter';

export interface ArchiveServiceOptions {
  store: Store;
  siteId: number;
  site: string;
  version: string;
  backup: { dir: string; keep: number };
  mqtt: { baseTopic: string; discoveryPrefix: string };
  rules: RulesService;
  logger: Logger;
}

export interface BackupRequest {
  type?: 'full' | 'incremental';
  tables?: string[];
  keep?: number;
}

export interface BackupSummary {
  path: string;
  type: 'full' | 'incremental';
  size: number;
  sha256: string;
  rows: number;
  pruned: string[];
}

export interface ExportRequest {
  exporter: string;
  format?: string;
  config?: unknown;
  /** A file name inside the backups folder's exports/ (default: `<exporter>-<time>.<format>`). */
  file?: string;
}

export class ArchiveService {
  /** One archive job at a time: a schedule firing during a manual backup waits its turn. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ArchiveServiceOptions) {}

  backup(request: BackupRequest = {}): Promise<BackupSummary> {
    return this.serial(async () => {
      const { store, siteId, backup, site, version } = this.options;
      const type = request.type ?? 'full';
      let since: string | undefined;
      if (type === 'incremental') {
        const newest = await siteArchives(store, siteId).first();
        // Without an archive to build on, the first one is full.
        since = newest && fs.existsSync(newest.path) ? newest.path : undefined;
      }
      const created = await createBackup(store, {
        backupsDir: backup.dir, hubVersion: version, site, type: since === undefined ? 'full' : type,
        keep: request.keep ?? backup.keep, ...(since === undefined ? {} : { since }), ...(request.tables ? { tables: request.tables } : {}),
      });
      const summary: BackupSummary = {
        path: created.path, type: created.header.type, size: created.size, sha256: created.sha256,
        rows: created.header.sections.reduce((sum, section) => sum + section.rows, 0), pruned: created.pruned,
      };
      this.options.logger.info(summary, 'backup written');
      return summary;
    });
  }

  export(request: ExportRequest): Promise<ExportResult> {
    return this.serial(async () => {
      const { store, siteId, site, version, backup, mqtt, rules } = this.options;
      const folder = path.join(backup.dir, 'exports');
      fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const name = path.basename(request.file ?? `${request.exporter}-${stamp}.${request.format ?? 'out'}`);
      const file = path.join(folder, name);
      const partial = `${file}.partial`;
      const out = fs.createWriteStream(partial, { mode: 0o600 });
      try {
        const result = await runExport({ knex: store.knex, siteId, siteName: site, rules: rules.current(), mqtt, version }, request.exporter, {
          out, path: file, ...(request.format === undefined ? {} : { format: request.format }), ...(request.config === undefined ? {} : { config: request.config }),
        });
        await fs.promises.rename(partial, file);
        return result;
      } finally {
        await fs.promises.rm(partial, { force: true });
      }
    });
  }

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
