import { TimestampedModel } from './base-model';

export class UpsRollup extends TimestampedModel {
  static override tableName = 'ups_rollups';

  ups_id!: number;
  hour!: number;
  samples!: number;
}
