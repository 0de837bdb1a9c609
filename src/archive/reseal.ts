/**
 * What a restore re-seals: the rows an archive carries sealed under its own
 * data key, opened with it and sealed again under the restoring store's, so a
 * hub restored on a new machine with a new master key still reads them.
 * Secrets are AES-GCM under their derived key; the flows' Node-RED
 * credentials are Node-RED's own format under the derived credential secret.
 */
import { ArchiveTamperedError } from '../errors';
import { decryptNodeRedCredentials, encryptNodeRedCredentials } from '../flows/node-red-credentials';
import { deriveKey, open, seal } from '../store/aead';
import type { Store } from '../store/store';
import type { Page } from './table-rows';

const SECRETS_LABEL = 'walnut/secrets/v1';
const CREDENTIALS_LABEL = 'walnut/node-red-credentials/v1';

type Row = Page['rows'][number];

function mapColumn(page: Page, column: string, change: (value: Row[number], row: Row, columns: readonly string[]) => Row[number]): Page {
  const at = page.columns.indexOf(column);
  return { columns: page.columns, rows: page.rows.map((row) => row.map((value, index) => (index === at ? change(value, row, page.columns) : value))) };
}

export interface Resealer {
  /** The page as this store must hold it (unchanged for tables with nothing sealed). */
  (table: string, page: Page): Page;
}

export function resealerFor(archiveDataKey: Buffer, store: Store): Resealer {
  const fromSecrets = deriveKey(archiveDataKey, SECRETS_LABEL);
  const toSecrets = store.deriveKey(SECRETS_LABEL);
  const fromCredentials = deriveKey(archiveDataKey, CREDENTIALS_LABEL).toString('hex');
  const toCredentials = store.deriveKey(CREDENTIALS_LABEL).toString('hex');

  const secrets = (page: Page): Page => {
    const nameAt = page.columns.indexOf('name');
    const resealed = mapColumn(page, 'ciphertext', (value, row) => {
      const name = String(row[nameAt]);
      const plain = open(fromSecrets, Buffer.from(String(value), 'base64'), name);
      if (plain === undefined) throw new ArchiveTamperedError('secrets', `secret "${name}" does not decrypt with the archive's data key`);
      return seal(toSecrets, plain, name).toString('base64');
    });
    return mapColumn(resealed, 'key_version', () => store.dataKeyVersion);
  };

  const flowCredentials = (page: Page): Page => mapColumn(page, 'credentials', (value, row, columns) => {
    if (value === null) return value;
    try {
      const sealed = JSON.parse(typeof value === 'string' ? value : '') as { $: string };
      return JSON.stringify(encryptNodeRedCredentials(toCredentials, decryptNodeRedCredentials(fromCredentials, sealed)));
    } catch {
      throw new ArchiveTamperedError('flow_revisions', `the credentials of flow revision ${String(row[columns.indexOf('version')])} do not decrypt with the archive's data key`);
    }
  });

  return (table, page) => (table === 'secrets' ? secrets(page) : table === 'flow_revisions' ? flowCredentials(page) : page);
}
