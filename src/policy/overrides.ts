/**
 * `armed` and `dry_run` switched from outside the YAML (Home Assistant, the
 * API, `walnut rules override`): stored on the policy row, audited, and read
 * back as the effective value until the YAML value itself changes.
 */
import type { Knex } from 'knex';
import { UsageError } from '../errors';
import { recordAudit } from '../store/audit';
import { Policy } from '../store/models';
import type { PolicyDocument } from './spec';

export interface OverrideChange {
  /** true/false sets the override, null clears it, undefined leaves it. */
  armed?: boolean | null;
  dryRun?: boolean | null;
}

export interface EffectiveFlags {
  armed: boolean;
  dryRun: boolean;
  armedOverridden: boolean;
  dryRunOverridden: boolean;
}

/** What a policy runs with: the override when there is one, else the YAML, else armed and not a dry run. */
export function effectiveFlags(document: Pick<PolicyDocument, 'armed' | 'dry_run'>, row?: Pick<Policy, 'armed_override' | 'dry_run_override'>): EffectiveFlags {
  const armedOverride = asFlag(row?.armed_override);
  const dryRunOverride = asFlag(row?.dry_run_override);
  return {
    armed: armedOverride ?? document.armed ?? true,
    dryRun: dryRunOverride ?? document.dry_run ?? false,
    armedOverridden: armedOverride !== null,
    dryRunOverridden: dryRunOverride !== null,
  };
}

export async function readEffectiveFlags(knex: Knex, siteId: number, name: string): Promise<EffectiveFlags> {
  const row = await findPolicy(knex, siteId, name);
  return effectiveFlags(JSON.parse(row.spec ?? '{}') as PolicyDocument, row);
}

/** Where a change came from when it came over the network (the API), for its audit row. */
export interface ChangeOrigin {
  ip?: string;
  userAgent?: string;
}

export async function setOverride(knex: Knex, siteId: number, name: string, change: OverrideChange, actor: string, origin: ChangeOrigin = {}): Promise<EffectiveFlags> {
  return knex.transaction(async (trx) => {
    const row = await findPolicy(trx, siteId, name);
    const before = { armed: asFlag(row.armed_override), dry_run: asFlag(row.dry_run_override) };
    const after = {
      armed: change.armed === undefined ? before.armed : change.armed,
      dry_run: change.dryRun === undefined ? before.dry_run : change.dryRun,
    };
    if (after.armed !== before.armed || after.dry_run !== before.dry_run) {
      await Policy.query(trx).patchAndFetchById(row.id, { armed_override: after.armed, dry_run_override: after.dry_run });
      await recordAudit(trx, { siteId, actor, action: 'policy.override.set', resource: `policy/${name}`, before, after, ...origin });
    }
    return effectiveFlags(JSON.parse(row.spec ?? '{}') as PolicyDocument, { armed_override: after.armed, dry_run_override: after.dry_run });
  });
}

/** SQLite hands booleans back as 0/1. */
function asFlag(value: boolean | number | null | undefined): boolean | null {
  return value === null || value === undefined ? null : Boolean(value);
}

async function findPolicy(knex: Knex, siteId: number, name: string): Promise<Policy> {
  const row = await Policy.query(knex).findOne({ site_id: siteId, name });
  if (!row) throw new UsageError(`no policy named "${name}" has been loaded (check the rules folder and \`walnut rules validate\`)`);
  return row;
}
