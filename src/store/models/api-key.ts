import { TimestampedModel } from './base-model';

export class ApiKey extends TimestampedModel {
  static override tableName = 'api_keys';

  name!: string;
  prefix!: string;
  key_hash!: string;
  user_id?: number | null;
  last_used_at?: number | null;
  revoked_at?: number | null;
}
