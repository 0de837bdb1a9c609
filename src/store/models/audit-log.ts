import { TimestampedModel } from './base-model';

export class AuditLog extends TimestampedModel {
  static override tableName = 'audit_logs';

  site_id?: number | null;
  ts!: number;
  actor!: string;
  action!: string;
  resource!: string;
  before?: string | null;
  after?: string | null;
  ip?: string | null;
  user_agent?: string | null;
}
