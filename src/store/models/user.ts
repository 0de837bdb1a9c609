import { TimestampedModel } from './base-model';

export class User extends TimestampedModel {
  static override tableName = 'users';

  username!: string;
  password_hash!: string;
  role!: string;
}
