/** `walnut apikeys create | list | revoke`: keys for the REST API (/api/v1). */
import type { Command } from 'commander';
import { createApiKey, listApiKeys, revokeApiKey } from '../store/api-keys';
import { type GlobalOptions, printJson, println } from './common';
import { withSiteStore } from './site-store';
import { cliActor } from './users-commands';

type Globals = (command: Command) => GlobalOptions;

export async function apikeysCreateCommand(name: string, options: GlobalOptions & { json?: boolean }): Promise<void> {
  await withSiteStore(options, async ({ store, siteId }) => {
    const created = await createApiKey(store.knex, name, cliActor(), siteId);
    if (options.json) return printJson(created);
    println(created.key);
    process.stderr.write(`created API key "${created.name}" (prefix ${created.prefix}): it is shown only this once, store it now\n`);
  });
}

export async function apikeysListCommand(options: GlobalOptions & { json?: boolean }): Promise<void> {
  await withSiteStore(options, async ({ store }) => {
    const keys = await listApiKeys(store.knex);
    const iso = (date: Date | null): string | null => date?.toISOString() ?? null;
    if (options.json) {
      return printJson(keys.map((key) => ({ name: key.name, prefix: key.prefix, createdAt: iso(key.createdAt), lastUsedAt: iso(key.lastUsedAt), revokedAt: iso(key.revokedAt) })));
    }
    if (keys.length === 0) return println('no API keys (create one with: walnut apikeys create NAME)');
    for (const key of keys) {
      const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active';
      println(`${key.name.padEnd(24)} ${key.prefix}  created ${key.createdAt.toISOString()}  last used ${iso(key.lastUsedAt) ?? 'never'}  ${state}`);
    }
  });
}

export async function apikeysRevokeCommand(nameOrPrefix: string, options: GlobalOptions): Promise<void> {
  await withSiteStore(options, async ({ store, siteId }) => {
    const revoked = await revokeApiKey(store.knex, nameOrPrefix, cliActor(), siteId);
    println(`revoked API key "${revoked.name}" (prefix ${revoked.prefix}): a running hub refuses it from its next request`);
  });
}

export function registerApiKeysCommands(program: Command, globals: Globals): void {
  const apikeys = program.command('apikeys').description('keys for the REST API (/api/v1): only a hash is stored, the key is shown once');

  apikeys
    .command('create')
    .description('create a key and print it once (clients send it as "Authorization: Bearer <key>")')
    .argument('<name>', "key name: 1-64 letters, digits, '_', '.', '@' or '-'")
    .option('--json', 'machine-readable output')
    .action((name: string, options: { json?: boolean }, command: Command) => apikeysCreateCommand(name, { ...globals(command), ...options }));

  apikeys
    .command('list')
    .description('names, prefixes and dates; never a key')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }, command: Command) => apikeysListCommand({ ...globals(command), ...options }));

  apikeys
    .command('revoke')
    .description('revoke a key by name or prefix (a running hub refuses it at once)')
    .argument('<name-or-prefix>', 'key name or prefix')
    .action((nameOrPrefix: string, _options: unknown, command: Command) => apikeysRevokeCommand(nameOrPrefix, globals(command)));
}
