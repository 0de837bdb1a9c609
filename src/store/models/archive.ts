import { TimestampedModel } from './base-model';

export class Archive extends TimestampedModel {
  static override tableName = 'archives';

  site_id!: number;
  path!: string;
  type!: 'full' | 'incremental';
  base_archive_id?: number | null;
  sha256!: string;
  size_bytes!: number;
  schema_version!: string;
}
