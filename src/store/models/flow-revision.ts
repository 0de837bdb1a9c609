import { TimestampedModel } from './base-model';

export class FlowRevision extends TimestampedModel {
  static override tableName = 'flow_revisions';

  site_id?: number | null;
  version!: number;
  sha256!: string;
  actor!: string;
  message?: string | null;
  flows!: string;
  credentials?: string | null;
}
