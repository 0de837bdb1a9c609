/**
 * Trusted SSH host keys (like known_hosts), recorded by `walnut targets trust`:
 * one per site and address, so targets on one machine share it and a fleet's
 * sites, whose private addresses often coincide, never share one. A
 * fingerprint written in the YAML wins over what is recorded here.
 */
import type { Knex } from 'knex';
import { recordAudit } from '../store/audit';
import { TrustedKey } from '../store/models';

export interface HostEndpoint {
  host: string;
  port: number;
}

const hostKeyOf = (siteId: number, endpoint: HostEndpoint) => ({ site_id: siteId, host: endpoint.host, port: endpoint.port, kind: 'ssh-hostkey' as const });

export async function trustedFingerprint(knex: Knex, siteId: number, endpoint: HostEndpoint): Promise<string | undefined> {
  const row = await TrustedKey.query(knex).findOne(hostKeyOf(siteId, endpoint));
  return row?.fingerprint;
}

export async function recordTrust(
  knex: Knex,
  entry: HostEndpoint & { target: string; algorithm: string; fingerprint: string },
  actor: string,
  siteId: number,
): Promise<void> {
  await knex.transaction(async (trx) => {
    const key = hostKeyOf(siteId, entry);
    const existing = await TrustedKey.query(trx).findOne(key);
    const row = { ...key, target: entry.target, algorithm: entry.algorithm, fingerprint: entry.fingerprint };
    if (existing) await TrustedKey.query(trx).patchAndFetchById(existing.id, row);
    else await TrustedKey.query(trx).insert(row);
    await recordAudit(trx, {
      siteId, actor, action: 'target.trust', resource: `target/${entry.target}`,
      ...(existing ? { before: { fingerprint: existing.fingerprint } } : {}), after: { fingerprint: entry.fingerprint, host: entry.host, port: entry.port },
    });
  });
}
