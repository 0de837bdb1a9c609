/**
 * The tables an archive carries, in the order a restore inserts them (parents
 * before children, for the foreign keys), with how each is keyed and which
 * column says a row changed (for incremental archives). Not carried: the
 * migration bookkeeping, the data key (it travels wrapped in the header) and
 * the archive history (it describes files on this machine).
 */
export interface ArchivedTable {
  name: string;
  /** Primary key columns: conflicts are found and tombstones applied on these. */
  key: readonly string[];
  /** The column a tombstone's row_key names (deleteWithTombstones' keyColumn). */
  tombstoneKey: string;
  /** A row changed since T when this column is >= T. */
  changedColumn: string;
}

const table = (name: string, changedColumn = 'updated_at', key: readonly string[] = ['id'], tombstoneKey = 'id'): ArchivedTable =>
  ({ name, key, tombstoneKey, changedColumn });

export const ARCHIVED_TABLES: readonly ArchivedTable[] = [
  table('sites'),
  table('ups'),
  table('ups_samples', 'ts'),
  table('ups_rollups'),
  table('events'),
  table('secrets', 'updated_at', ['id'], 'name'),
  table('hosts'),
  table('integrations'),
  table('policies'),
  table('jobs'),
  table('trusted_keys'),
  table('users'),
  table('api_keys'),
  table('audit_logs'),
  table('flow_revisions'),
  table('mqtt_retained', 'updated_at', ['site_id', 'topic'], 'topic'),
  table('mqtt_entities', 'updated_at', ['site_id', 'config_topic'], 'config_topic'),
  table('node_red_state'),
  table('tombstones'),
];

const BY_NAME = new Map(ARCHIVED_TABLES.map((entry) => [entry.name, entry]));

export function archivedTable(name: string): ArchivedTable | undefined {
  return BY_NAME.get(name);
}
