/**
 * Derives the `hosts`, `integrations` and `policies` rows from the accepted
 * rules, in one transaction per load. The YAML is the source of truth: rows
 * no longer in it are deleted (with tombstones for incremental backups).
 * An armed/dry_run override is dropped when the YAML value it overrode changes.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { recordAudit } from '../store/audit';
import { Host, Integration, Policy } from '../store/models';
import { deleteWithTombstones } from '../store/tombstones';
import type { PolicyDocument, Target } from './spec';

/** Machines that are shut down and woken live in `hosts`; devices reached through an API in `integrations`. */
const HOST_TYPES = new Set<Target['type']>(['ssh', 'wol']);

export interface RulesSnapshot {
  targets: ReadonlyArray<{ name: string; target: Target }>;
  policies: ReadonlyArray<{ name: string; file: string; document: PolicyDocument }>;
}

export interface DroppedOverride {
  policy: string;
  flag: 'armed' | 'dry_run';
}

export const RULES_ACTOR = 'rules-loader';

export async function syncRulesToStore(knex: Knex, siteId: number, snapshot: RulesSnapshot): Promise<DroppedOverride[]> {
  return knex.transaction(async (trx) => {
    await syncTargets(trx, siteId, snapshot.targets);
    return syncPolicies(trx, siteId, snapshot.policies);
  });
}

async function syncTargets(trx: Knex.Transaction, siteId: number, targets: RulesSnapshot['targets']): Promise<void> {
  const hosts = targets.filter(({ target }) => HOST_TYPES.has(target.type));
  const integrations = targets.filter(({ target }) => !HOST_TYPES.has(target.type));
  for (const { name, target } of hosts) {
    const row = {
      site_id: siteId, name, type: target.type, address: hostAddress(target), port: hostPort(target),
      watts: target.watts ?? null, config: JSON.stringify(target),
    };
    const existing = await Host.query(trx).findOne({ site_id: siteId, name });
    if (existing) await Host.query(trx).patchAndFetchById(existing.id, row);
    else await Host.query(trx).insert(row);
  }
  for (const { name, target } of integrations) {
    const row = { site_id: siteId, name, type: target.type, config: JSON.stringify(target), secret_ref: secretRefOf(target) };
    const existing = await Integration.query(trx).findOne({ site_id: siteId, name });
    if (existing) await Integration.query(trx).patchAndFetchById(existing.id, row);
    else await Integration.query(trx).insert(row);
  }
  await deleteMissing(trx, 'hosts', siteId, hosts.map(({ name }) => name));
  await deleteMissing(trx, 'integrations', siteId, integrations.map(({ name }) => name));
}

async function syncPolicies(trx: Knex.Transaction, siteId: number, policies: RulesSnapshot['policies']): Promise<DroppedOverride[]> {
  const dropped: DroppedOverride[] = [];
  for (const { name, file, document } of policies) {
    const spec = JSON.stringify(document);
    const row = { site_id: siteId, name, source_file: file, spec, spec_sha256: createHash('sha256').update(spec).digest('hex') };
    const existing = await Policy.query(trx).findOne({ site_id: siteId, name });
    if (!existing) {
      await Policy.query(trx).insert(row);
      continue;
    }
    const previous = existing.spec ? (JSON.parse(existing.spec) as Partial<PolicyDocument>) : {};
    const patch: Partial<Policy> = { ...row };
    if (existing.armed_override != null && previous.armed !== document.armed) {
      patch.armed_override = null;
      dropped.push({ policy: name, flag: 'armed' });
    }
    if (existing.dry_run_override != null && previous.dry_run !== document.dry_run) {
      patch.dry_run_override = null;
      dropped.push({ policy: name, flag: 'dry_run' });
    }
    await Policy.query(trx).patchAndFetchById(existing.id, patch);
    for (const drop of dropped.filter((entry) => entry.policy === name)) {
      const before = drop.flag === 'armed' ? existing.armed_override : existing.dry_run_override;
      await recordAudit(trx, {
        siteId, actor: RULES_ACTOR, action: 'policy.override.dropped', resource: `policy/${name}/${drop.flag}`,
        before: { override: before }, after: { override: null, reason: `the YAML value of ${drop.flag} changed in ${file}` },
      });
    }
  }
  await deleteMissing(trx, 'policies', siteId, policies.map(({ name }) => name));
  return dropped;
}

async function deleteMissing(trx: Knex.Transaction, table: string, siteId: number, keep: string[]): Promise<void> {
  const stale = (await trx(table).where({ site_id: siteId }).whereNotIn('name', keep).select('id')) as { id: number }[];
  for (const { id } of stale) await deleteWithTombstones(trx, table, { id });
}

function hostAddress(target: Target): string | null {
  if (target.type === 'ssh') return target.host;
  if (target.type === 'wol') return target.address;
  return null;
}

function hostPort(target: Target): number | null {
  if (target.type === 'ssh') return target.port ?? 22;
  if (target.type === 'wol') return target.port ?? 9;
  return null;
}

function secretRefOf(target: Target): string | null {
  switch (target.type) {
    case 'proxmox': return target.token.secretRef;
    case 'tapo': return target.credentials.secretRef;
    case 'shelly': return target.credentials?.secretRef ?? null;
    case 'ups': return target.credentials.secretRef;
    default: return null;
  }
}
