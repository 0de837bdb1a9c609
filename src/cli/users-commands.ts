/** `walnut users add | passwd | remove | list`: the Node-RED editor's logins. */
import * as os from 'node:os';
import type { Command } from 'commander';
import { UsageError } from '../errors';
import { addUser, assertPassword, assertUsername, countUsers, listUsers, removeUser, setPassword } from '../store/users';
import { User } from '../store/models';
import { type GlobalOptions, printJson, println } from './common';
import { withSiteStore } from './site-store';
import { promptHidden, readStdin } from './hidden-input';

type Globals = (command: Command) => GlobalOptions;

/** `cli:<os user>`; a uid without a passwd entry (some containers) is named by its number. */
export function cliActor(): string {
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return `cli:uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

/** The password from stdin, or from a prompt without echo asked twice; never from argv. Checked before it is hashed. */
async function readPassword(username: string, options: { stdin?: boolean }): Promise<string> {
  let password: string;
  if (options.stdin) {
    password = await readStdin();
  } else {
    if (!process.stdin.isTTY) throw new UsageError('no terminal to prompt on: pass the password with --stdin');
    password = await promptHidden(`password for ${username}: `);
    assertPassword(password);
    const again = await promptHidden('again, to confirm: ');
    if (password !== again) throw new UsageError('the two passwords differ; nothing was changed');
  }
  assertPassword(password);
  return password;
}

export async function usersAddCommand(username: string, options: GlobalOptions & { stdin?: boolean }): Promise<void> {
  assertUsername(username);
  await withSiteStore(options, async ({ store, siteId }) => {
    // Cheap checks before asking for a password; addUser checks again in its transaction.
    if (await User.query(store.knex).findOne({ username })) throw new UsageError(`user "${username}" already exists (change its password with: walnut users passwd ${username})`);
    const password = await readPassword(username, options);
    const first = (await countUsers(store.knex)) === 0;
    await addUser(store.knex, username, password, cliActor(), siteId);
    println(`added editor user "${username}"`);
    if (first) {
      println('the editor now asks for a login, a running hub\'s too (no restart needed)');
    }
  });
}

export async function usersPasswdCommand(username: string, options: GlobalOptions & { stdin?: boolean }): Promise<void> {
  assertUsername(username);
  await withSiteStore(options, async ({ store, siteId }) => {
    if (!(await User.query(store.knex).findOne({ username }))) throw new UsageError(`no user named "${username}" (add it with: walnut users add ${username})`);
    const password = await readPassword(username, options);
    await setPassword(store.knex, username, password, cliActor(), siteId);
    println(`changed the password of "${username}"`);
  });
}

export async function usersRemoveCommand(username: string, options: GlobalOptions): Promise<void> {
  await withSiteStore(options, async ({ store, siteId }) => {
    await removeUser(store.knex, username, cliActor(), siteId);
    println(`removed editor user "${username}"`);
    if ((await countUsers(store.knex)) === 0) {
      process.stderr.write(
        'warning: that was the last editor user. A hub whose editor is on loopback opens it to this machine without a login; ' +
          'one with WALNUT_HTTP_HOST on another address lets nobody in, and refuses to start until you run "walnut users add NAME".\n',
      );
    }
  });
}

export async function usersListCommand(options: GlobalOptions & { json?: boolean }): Promise<void> {
  await withSiteStore(options, async ({ store }) => {
    const users = await listUsers(store.knex);
    if (options.json) {
      return printJson(users.map((user) => ({ username: user.username, role: user.role, createdAt: user.createdAt.toISOString(), updatedAt: user.updatedAt.toISOString() })));
    }
    if (users.length === 0) return println('no editor users: the editor has no login and listens only on loopback (add one with: walnut users add NAME)');
    for (const user of users) println(`${user.username.padEnd(24)} ${user.role.padEnd(8)} added ${user.createdAt.toISOString()}  changed ${user.updatedAt.toISOString()}`);
  });
}

export function registerUsersCommands(program: Command, globals: Globals): void {
  const users = program.command('users').description("the Node-RED editor's logins (bcrypt hashes in the store; passwords never on the command line)");

  users
    .command('add')
    .description('add an editor user: the password from a prompt without echo (asked twice) or --stdin, at least 10 characters')
    .argument('<name>', "username: 1-64 letters, digits, '_', '.', '@' or '-'")
    .option('--stdin', 'read the password from standard input (one trailing newline dropped)')
    .action((name: string, options: { stdin?: boolean }, command: Command) => usersAddCommand(name, { ...globals(command), ...options }));

  users
    .command('passwd')
    .description("change an editor user's password (prompt without echo, or --stdin)")
    .argument('<name>', 'username')
    .option('--stdin', 'read the password from standard input (one trailing newline dropped)')
    .action((name: string, options: { stdin?: boolean }, command: Command) => usersPasswdCommand(name, { ...globals(command), ...options }));

  users
    .command('remove')
    .description('remove an editor user (their open editor sessions end at their next request)')
    .argument('<name>', 'username')
    .action((name: string, _options: unknown, command: Command) => usersRemoveCommand(name, globals(command)));

  users
    .command('list')
    .description('usernames, roles and dates; never a password or hash')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }, command: Command) => usersListCommand({ ...globals(command), ...options }));
}
