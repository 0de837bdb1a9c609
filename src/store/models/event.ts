import { TimestampedModel } from './base-model';

export class Event extends TimestampedModel {
  static override tableName = 'events';

  site_id?: number | null;
  ts!: number;
  severity!: 'debug' | 'info' | 'warning' | 'error' | 'critical';
  type!: string;
  source!: string;
  ups_id?: number | null;
  message!: string;
  data?: string | null;
}
