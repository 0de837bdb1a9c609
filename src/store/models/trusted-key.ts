import { TimestampedModel } from './base-model';

export class TrustedKey extends TimestampedModel {
  static override tableName = 'trusted_keys';

  site_id!: number;
  target!: string;
  host!: string;
  port!: number;
  kind!: 'ssh-hostkey' | 'tls-cert';
  algorithm?: string | null;
  fingerprint!: string;
}
