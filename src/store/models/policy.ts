import { TimestampedModel } from './base-model';

export class Policy extends TimestampedModel {
  static override tableName = 'policies';

  site_id!: number;
  name!: string;
  source_file?: string | null;
  spec_sha256?: string | null;
  spec?: string | null;
  armed_override?: boolean | null;
  dry_run_override?: boolean | null;
  run_state?: string | null;
}
