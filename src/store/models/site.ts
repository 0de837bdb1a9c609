import { TimestampedModel } from './base-model';

export class Site extends TimestampedModel {
  static override tableName = 'sites';

  name!: string;
  description?: string | null;
}
