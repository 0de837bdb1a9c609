import { SecretInputError, UsageError } from '../errors';
import { recordAudit } from '../store/audit';
import { assertSecretName, type SecretScope } from '../store/secrets';
import { ensureSite } from '../store/sites';
import { Store } from '../store/store';
import { cliSettings, type GlobalOptions, printJson, println } from './common';
import { promptHidden, readStdin, readValueFile } from './hidden-input';
import { cliActor } from './users-commands';

async function withSecrets<T>(options: GlobalOptions, work: (store: Store, siteId: number) => Promise<T>): Promise<T> {
  const settings = cliSettings(options);
  const store = await Store.open({ settings });
  try {
    return await work(store, (await ensureSite(store.knex, settings.site)).id);
  } finally {
    await store.close();
  }
}

/** Where the value comes from: a file, stdin, or a prompt without echo; never argv. */
async function readSecretValue(name: string, options: { fromFile?: string; stdin?: boolean }): Promise<string> {
  if (options.fromFile !== undefined && options.stdin) throw new UsageError('give either --from-file or --stdin, not both');
  if (options.fromFile !== undefined) return readValueFile(options.fromFile);
  if (options.stdin) return readStdin();
  const value = await promptHidden(`value for ${name}: `);
  const again = await promptHidden(`again, to confirm: `);
  if (value !== again) throw new SecretInputError('the two values differ; nothing was stored');
  return value;
}

interface ScopeOption {
  fleet?: boolean;
}

/** `--fleet` on a fleet database; the SQLite store's secrets are fleet-wide already (one hub). */
const scopeOf = (store: Store, options: ScopeOption): SecretScope => (options.fleet || !store.isPostgres ? 'fleet' : 'site');
const scopeWords = (store: Store, scope: SecretScope): string => (!store.isPostgres ? '' : scope === 'site' ? ` for site "${store.site}"` : ' for the whole fleet');

export async function secretsSetCommand(name: string, options: GlobalOptions & ScopeOption & { fromFile?: string; stdin?: boolean }): Promise<void> {
  assertSecretName(name);
  const value = await readSecretValue(name, options);
  await withSecrets(options, async (store, siteId) => {
    const scope = scopeOf(store, options);
    const existed = (await store.secrets().list()).some((secret) => secret.name === name && secret.scope === scope);
    await store.secrets().set(name, value, scope);
    // The name and whether it was new, never the value.
    await recordAudit(store.knex, { siteId, actor: cliActor(), action: existed ? 'secret.updated' : 'secret.added', resource: `secret/${name}`, after: { name, scope } });
    println(`${existed ? 'updated' : 'stored'} secret "${name}"${scopeWords(store, scope)}`);
  });
}

export async function secretsListCommand(options: GlobalOptions & { json?: boolean }): Promise<void> {
  await withSecrets(options, async (store) => {
    const secrets = await store.secrets().list();
    if (options.json) return printJson(secrets.map((s) => ({ name: s.name, scope: s.scope, createdAt: s.createdAt.toISOString(), updatedAt: s.updatedAt.toISOString() })));
    if (secrets.length === 0) return println('no secrets (add one with: walnut secrets set NAME)');
    for (const secret of secrets) println(`${secret.name.padEnd(32)} ${store.isPostgres ? `${secret.scope === 'site' ? store.site : '(fleet)'}`.padEnd(16) : ''}updated ${secret.updatedAt.toISOString()}`);
  });
}

export async function secretsRemoveCommand(name: string, options: GlobalOptions & ScopeOption): Promise<void> {
  await withSecrets(options, async (store, siteId) => {
    const scope = scopeOf(store, options);
    if (!(await store.secrets().remove(name, scope))) {
      const fleetWide = scope === 'site' && (await store.secrets().has(name));
      throw new UsageError(`no secret named "${name}"${scopeWords(store, scope)}${fleetWide ? `; a fleet-wide one exists: walnut secrets rm ${name} --fleet` : ''}`);
    }
    await recordAudit(store.knex, { siteId, actor: cliActor(), action: 'secret.removed', resource: `secret/${name}`, before: { name, scope } });
    println(`removed secret "${name}"${scopeWords(store, scope)}`);
  });
}
