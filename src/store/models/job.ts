import { TimestampedModel } from './base-model';

export class Job extends TimestampedModel {
  static override tableName = 'jobs';

  site_id!: number;
  policy_id?: number | null;
  run_id?: string | null;
  stage?: string | null;
  target!: string;
  op!: string;
  state!: 'queued' | 'sent' | 'acknowledged' | 'completed' | 'failed' | 'cancelled';
  dry_run!: boolean;
  attempts!: number;
  result?: string | null;
  error?: string | null;
  queued_at!: number;
  sent_at?: number | null;
  acknowledged_at?: number | null;
  finished_at?: number | null;
}
