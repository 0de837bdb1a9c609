/**
 * Trusted SSH host keys (like known_hosts), recorded by `walnut targets trust`.
 * A fingerprint written in the YAML wins over what is recorded here.
 */
import type { Knex } from 'knex';
import { recordAudit } from '../store/audit';
import { TrustedKey } from '../store/models';

export async function trustedFingerprint(knex: Knex, target: string): Promise<string | undefined> {
  const row = await TrustedKey.query(knex).findOne({ target, kind: 'ssh-hostkey' });
  return row?.fingerprint;
}

export async function recordTrust(
  knex: Knex,
  entry: { target: string; host: string; port: number; algorithm: string; fingerprint: string },
  actor: string,
  siteId: number,
): Promise<void> {
  await knex.transaction(async (trx) => {
    const existing = await TrustedKey.query(trx).findOne({ target: entry.target, kind: 'ssh-hostkey' });
    const row = { ...entry, kind: 'ssh-hostkey' as const };
    if (existing) await TrustedKey.query(trx).patchAndFetchById(existing.id, row);
    else await TrustedKey.query(trx).insert(row);
    await recordAudit(trx, {
      siteId, actor, action: 'target.trust', resource: `target/${entry.target}`,
      ...(existing ? { before: { fingerprint: existing.fingerprint } } : {}), after: { fingerprint: entry.fingerprint, host: entry.host, port: entry.port },
    });
  });
}
