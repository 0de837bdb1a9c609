import type { Knex } from 'knex';
import { NutAuthError } from '../errors';
import { Ups } from '../store/models';
import { deleteWithTombstones } from '../store/tombstones';
import { NutClient } from './client';
import type { UpsConf } from './conf/ups-conf';

export type MismatchKind =
  | 'missing-in-registry' // upsd serves it, the hub does not know it
  | 'missing-on-server' // the hub knows it, upsd does not serve it
  | 'not-served' // ups.conf defines it, upsd does not serve it (driver not started?)
  | 'not-configured' // upsd serves it, ups.conf does not define it (another conf dir?)
  | 'description-differs'
  | 'login-denied'
  | 'login-ok';

export interface SyncFinding {
  kind: MismatchKind;
  ups: string;
  message: string;
  /** Whether --apply changes the registry for this finding. */
  fixable: boolean;
}

export interface SyncReport {
  server: string;
  served: Array<{ name: string; description: string }>;
  findings: SyncFinding[];
  applied: number;
}

export interface SyncOptions {
  knex: Knex;
  siteId: number;
  host: string;
  port: number;
  upsConf?: UpsConf;
  credentials?: { username: string; password: string };
  apply: boolean;
}

/** One connection per UPS: upsd allows one LOGIN per connection. */
async function tryLogin(host: string, port: number, ups: string, credentials: { username: string; password: string }): Promise<SyncFinding> {
  const client = await NutClient.connect({ host, port });
  try {
    await client.username(credentials.username);
    await client.password(credentials.password);
    await client.login(ups);
    await client.logout();
    return { kind: 'login-ok', ups, message: `${credentials.username} can log in to ${ups}`, fixable: false };
  } catch (error) {
    if (!(error instanceof NutAuthError)) throw error;
    return { kind: 'login-denied', ups, message: `${credentials.username} cannot log in to ${ups} (${error.nutCode}): give it "upsmon secondary" in upsd.users and check the password`, fixable: false };
  } finally {
    client.close();
  }
}

/**
 * Compares the hub's UPS registry (`ups` rows of this site and server) with
 * what upsd serves (LIST UPS) and what ups.conf defines; `apply` brings the
 * registry in line with the server. NUT's own files are never written.
 */
export async function syncNutServer(options: SyncOptions): Promise<SyncReport> {
  const { knex, siteId, host, port } = options;
  const server = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const client = await NutClient.connect({ host, port });
  let served: Array<{ name: string; description: string }>;
  try {
    served = await client.listUps();
  } finally {
    client.close();
  }
  const registry = await Ups.query(knex).where({ site_id: siteId, server });
  const findings: SyncFinding[] = [];
  const servedNames = new Set(served.map((ups) => ups.name));

  for (const ups of served) {
    const known = registry.find((row) => row.name === ups.name);
    if (known === undefined) {
      findings.push({ kind: 'missing-in-registry', ups: ups.name, message: `${ups.name} is served by ${server} but not in the hub's registry`, fixable: true });
    } else if ((known.description ?? '') !== ups.description) {
      findings.push({ kind: 'description-differs', ups: ups.name, message: `${ups.name}: registry says "${known.description ?? ''}", upsd says "${ups.description}"`, fixable: true });
    }
  }
  for (const row of registry) {
    if (!servedNames.has(row.name)) findings.push({ kind: 'missing-on-server', ups: row.name, message: `${row.name} is in the registry but ${server} does not serve it`, fixable: true });
  }
  if (options.upsConf !== undefined) {
    const configured = new Set(options.upsConf.sections.map((section) => section.name));
    for (const name of configured) {
      if (!servedNames.has(name)) findings.push({ kind: 'not-served', ups: name, message: `${name} is in ups.conf but ${server} does not serve it (is its driver running?)`, fixable: false });
    }
    for (const name of servedNames) {
      if (!configured.has(name)) findings.push({ kind: 'not-configured', ups: name, message: `${name} is served by ${server} but not defined in this ups.conf (another server's files?)`, fixable: false });
    }
  }
  if (options.credentials !== undefined) {
    for (const ups of served) findings.push(await tryLogin(host, port, ups.name, options.credentials));
  }

  let applied = 0;
  if (options.apply) applied = await applyToRegistry(knex, siteId, server, served, findings);
  return { server, served, findings, applied };
}

async function applyToRegistry(knex: Knex, siteId: number, server: string, served: Array<{ name: string; description: string }>, findings: SyncFinding[]): Promise<number> {
  const fixable = findings.filter((finding) => finding.fixable);
  await knex.transaction(async (trx) => {
    for (const finding of fixable) {
      const description = served.find((ups) => ups.name === finding.ups)?.description ?? null;
      if (finding.kind === 'missing-in-registry') await Ups.query(trx).insert({ site_id: siteId, server, name: finding.ups, description });
      if (finding.kind === 'description-differs') await Ups.query(trx).patch({ description }).where({ site_id: siteId, server, name: finding.ups });
      if (finding.kind === 'missing-on-server') await deleteWithTombstones(trx, 'ups', { site_id: siteId, server, name: finding.ups });
    }
  });
  return fixable.length;
}
