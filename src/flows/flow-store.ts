/**
 * Versioned flows: every deploy is a new row of `flow_revisions` (version,
 * sha256 of the flows, who, why) with an audit row; a rollback is a new
 * revision with an old one's content. Credentials are kept as Node-RED hands
 * them over: already encrypted with the credential secret derived from the
 * data key, inside the encrypted store.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { UsageError } from '../errors';
import { recordAudit } from '../store/audit';

export type FlowNode = Record<string, unknown> & { id: string; type: string };

export interface FlowRevision {
  version: number;
  sha256: string;
  actor: string;
  message: string | null;
  createdAt: number;
  flows: FlowNode[];
  /** Node-RED's credentials object (`{"$": "<encrypted>"}`), or none. */
  credentials: Record<string, unknown> | null;
}

export interface SaveRequest {
  flows: FlowNode[];
  credentials: Record<string, unknown> | null;
  actor: string;
  message?: string;
}

interface RevisionRow {
  version: number;
  sha256: string;
  actor: string;
  message: string | null;
  flows: string;
  credentials: string | null;
  created_at: number | string;
}

export const flowsSha256 = (flows: readonly FlowNode[]): string => createHash('sha256').update(JSON.stringify(flows)).digest('hex');

function fromRow(row: RevisionRow): FlowRevision {
  return {
    version: Number(row.version), sha256: row.sha256, actor: row.actor, message: row.message, createdAt: Number(row.created_at),
    flows: JSON.parse(row.flows) as FlowNode[], credentials: row.credentials === null ? null : (JSON.parse(row.credentials) as Record<string, unknown>),
  };
}

export class FlowStore {
  constructor(
    private readonly knex: Knex,
    private readonly siteId: number,
  ) {}

  async latestVersion(): Promise<number> {
    const row = (await this.knex('flow_revisions').where({ site_id: this.siteId }).max({ version: 'version' }).first()) as { version: number | null } | undefined;
    return Number(row?.version ?? 0);
  }

  async latest(): Promise<FlowRevision | undefined> {
    const row = (await this.knex('flow_revisions').where({ site_id: this.siteId }).orderBy('version', 'desc').first()) as RevisionRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  async get(version: number): Promise<FlowRevision> {
    const row = (await this.knex('flow_revisions').where({ site_id: this.siteId, version }).first()) as RevisionRow | undefined;
    if (!row) throw new UsageError(`there is no flow revision ${version} (\`walnut flows list\` shows them)`);
    return fromRow(row);
  }

  /** Every revision, newest first; credentials are not read. */
  async list(): Promise<FlowRevision[]> {
    const rows = (await this.knex('flow_revisions').where({ site_id: this.siteId }).orderBy('version', 'desc')
      .select('version', 'sha256', 'actor', 'message', 'flows', 'created_at')) as RevisionRow[];
    return rows.map((row) => fromRow({ ...row, credentials: null }));
  }

  /** A new revision, numbered after the newest, with its audit row, in one transaction. */
  async save(request: SaveRequest): Promise<FlowRevision> {
    const sha256 = flowsSha256(request.flows);
    return this.knex.transaction(async (trx) => {
      const latest = (await trx('flow_revisions').where({ site_id: this.siteId }).max({ version: 'version' }).first()) as { version: number | null } | undefined;
      const version = Number(latest?.version ?? 0) + 1;
      const now = Date.now();
      await trx('flow_revisions').insert({
        site_id: this.siteId, version, sha256, actor: request.actor, message: request.message ?? null,
        flows: JSON.stringify(request.flows), credentials: request.credentials === null ? null : JSON.stringify(request.credentials),
        created_at: now, updated_at: now,
      });
      await recordAudit(trx, {
        siteId: this.siteId, actor: request.actor, action: 'flows.deployed', resource: `flows/${version}`,
        after: { version, sha256, nodes: request.flows.length, ...(request.message ? { message: request.message } : {}) },
      });
      return { version, sha256, actor: request.actor, message: request.message ?? null, createdAt: now, flows: request.flows, credentials: request.credentials };
    });
  }

  /** A new revision with revision `version`'s flows and credentials. */
  async rollback(version: number, actor: string): Promise<FlowRevision> {
    const old = await this.get(version);
    return this.save({ flows: old.flows, credentials: old.credentials, actor, message: `rollback to ${version}` });
  }
}
