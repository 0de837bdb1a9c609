import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseNutServers } from '../../settings';
import { UsageError } from '../errors';
import { parseUpsConf } from '../nut/conf/ups-conf';
import { syncNutServer } from '../nut/sync';
import { ensureSite } from '../store/sites';
import { Store } from '../store/store';
import { cliSettings, type GlobalOptions, printJson, println } from './common';

interface SyncCommandOptions extends GlobalOptions {
  server?: string;
  confDir?: string;
  apply?: boolean;
  json?: boolean;
}

/** `walnut nut sync`: the registry against the NUT files and the live server; --apply fixes the registry only. */
export async function nutSyncCommand(options: SyncCommandOptions): Promise<void> {
  const settings = cliSettings(options);
  const targets = options.server === undefined ? settings.nutServers : parseNutServers(options.server, '--server');
  if (targets.length === 0) throw new UsageError('no NUT server to compare: pass --server HOST[:PORT] or set WALNUT_NUT_SERVERS');
  const confFile = path.join(options.confDir ?? '/etc/nut', 'ups.conf');
  const upsConf = fs.existsSync(confFile) ? parseUpsConf(fs.readFileSync(confFile, 'utf8')).config : undefined;

  const store = await Store.open({ settings });
  try {
    const site = await ensureSite(store.knex, settings.site);
    const reports = [];
    for (const target of targets) {
      const fromSettings = settings.nutServers.find((s) => s.host === target.host && s.port === target.port && s.username !== undefined);
      const login = target.username !== undefined ? target : fromSettings;
      const credentials = login?.username === undefined
        ? undefined
        : { username: login.username, password: await store.secrets().get(login.passwordSecret ?? `nut/${login.username}`) };
      reports.push(await syncNutServer({
        knex: store.knex, siteId: site.id, host: target.host, port: target.port, apply: options.apply ?? false,
        ...(upsConf === undefined ? {} : { upsConf }), ...(credentials === undefined ? {} : { credentials }),
      }));
    }
    const problems = reports.flatMap((report) => report.findings).filter((finding) => finding.kind !== 'login-ok');
    if (problems.length > 0 && !options.apply) process.exitCode = 1;
    if (options.json) return printJson({ confFile: upsConf === undefined ? null : confFile, reports });
    for (const report of reports) {
      println(`${report.server}: serves ${report.served.map((ups) => ups.name).join(', ') || 'nothing'}`);
      for (const finding of report.findings) println(`  ${finding.kind.padEnd(20)} ${finding.message}`);
      if (report.findings.length === 0) println('  registry, files and server agree');
      if (options.apply) println(`  applied ${report.applied} change(s) to the registry (NUT's files are never changed)`);
    }
    if (upsConf === undefined) println(`(no ${confFile}: compared with the server only)`);
  } finally {
    await store.close();
  }
}
