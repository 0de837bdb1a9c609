import { TimestampedModel } from './base-model';

export class Integration extends TimestampedModel {
  static override tableName = 'integrations';

  site_id!: number;
  name!: string;
  type!: string;
  config!: string;
  secret_ref?: string | null;
}
