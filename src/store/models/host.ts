import { TimestampedModel } from './base-model';

export class Host extends TimestampedModel {
  static override tableName = 'hosts';

  site_id!: number;
  name!: string;
  type!: string;
  address?: string | null;
  port?: number | null;
  watts?: number | null;
  config?: string | null;
}
