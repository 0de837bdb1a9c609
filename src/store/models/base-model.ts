import { Model } from 'objection';

/**
 * Every mutable table's model: created_at/updated_at as epoch milliseconds,
 * set here so no caller forgets them. Models are never bound globally; pass the
 * store's knex (or a transaction) to query(), so two stores can live in one process.
 */
export abstract class TimestampedModel extends Model {
  id!: number;
  created_at!: number;
  updated_at!: number;

  override $beforeInsert(): void {
    const now = Date.now();
    this.created_at ??= now;
    this.updated_at ??= now;
  }

  override $beforeUpdate(): void {
    this.updated_at = Date.now();
  }
}
