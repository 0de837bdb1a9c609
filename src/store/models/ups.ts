import { TimestampedModel } from './base-model';

export class Ups extends TimestampedModel {
  static override tableName = 'ups';

  site_id!: number;
  name!: string;
  server!: string;
  description?: string | null;
  manufacturer?: string | null;
  model?: string | null;
  serial?: string | null;
}
