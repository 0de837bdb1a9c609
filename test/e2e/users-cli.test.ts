import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { UsageError } from '../../src/errors';
import { registerUsersCommands } from '../../src/cli/users-commands';
import { checkPassword, countUsers } from '../../src/store/users';
import { childEnv, exited, ROOT, waitForLine, walnut } from '../helpers/process';
import { openTestStore } from '../helpers/store';
import { tempDir, testKey } from '../helpers/temp';

/** An embedded Node-RED whose adminAuth is adminAuthFor(the store), as the hub will set it. */
const EDITOR = `
const http = require('node:http');
const express = require('express');
const { Store } = require('./src/store/store');
const { adminAuthFor } = require('./src/hub/admin-auth');
(async () => {
  const store = await Store.open({ settings: { dbPath: process.env.WALNUT_DB_PATH, production: false, allowNetworkFs: false }, env: process.env });
  const adminAuth = adminAuthFor(store.knex, { loopback: true, onError: (error) => process.stderr.write('auth error: ' + error + '\\n') });
  const RED = require('node-red');
  const app = express();
  const server = http.createServer(app);
  RED.init(server, {
    userDir: process.env.USER_DIR, flowFile: 'flows.json', httpAdminRoot: '/', httpNodeRoot: '/', uiPort: 0,
    adminAuth, credentialSecret: 'test-only', telemetry: { enabled: false }, diagnostics: { enabled: false },
    externalModules: { palette: { allowInstall: false } }, editorTheme: { projects: { enabled: false }, tours: false },
    logging: { console: { level: 'off', metrics: false, audit: false } },
  });
  app.use('/', RED.httpAdmin);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  await RED.start();
  process.stdout.write('editor on ' + server.address().port + '\\n');
  process.on('SIGTERM', () => { RED.stop().then(() => store.close()).then(() => process.exit(0)); });
})().catch((error) => { process.stderr.write(String(error && error.stack || error) + '\\n'); process.exit(1); });
`;

async function login(base: string, username: string, password: string): Promise<{ status: number; token?: string }> {
  const response = await fetch(`${base}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: 'node-red-editor', grant_type: 'password', scope: '*', username, password }).toString(),
  });
  const body = (await response.json().catch(() => ({}))) as { access_token?: string };
  return body.access_token === undefined ? { status: response.status } : { status: response.status, token: body.access_token };
}

const flowsStatus = async (base: string, token?: string): Promise<number> =>
  (await fetch(`${base}/flows`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })).status;

describe('walnut users CLI', () => {
  const password = 'Correct-Horse-Battery-1';
  let env: Record<string, string>;

  beforeEach(() => {
    env = { WALNUT_DB_PATH: path.join(tempDir(), 'walnut.db'), WALNUT_DB_KEY: testKey() };
  });

  it('adds from stdin, lists, changes the password, removes, and warns when the last user goes', async () => {
    const empty = await walnut(['users', 'list'], env);
    assert.equal(empty.code, 0, empty.stderr);
    assert.match(empty.stdout, /no editor users: the editor has no login and listens only on loopback/);

    const add = await walnut(['users', 'add', 'alice', '--stdin'], env, `${password}\n`);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /added editor user "alice"/);
    assert.match(add.stdout, /the editor now asks for a login, a running hub's too \(no restart needed\)/);
    const second = await walnut(['users', 'add', 'bob', '--stdin'], env, 'another-long-password');
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stdout, /now asks for a login/, 'only the first user turns the login on');

    const again = await walnut(['users', 'add', 'alice', '--stdin'], env, password);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /^walnut: user "alice" already exists \(change its password with: walnut users passwd alice\)\n$/);

    const list = await walnut(['users', 'list', '--json'], env);
    assert.equal(list.code, 0, list.stderr);
    const users = JSON.parse(list.stdout) as Array<{ username: string; role: string; createdAt: string }>;
    assert.deepEqual(users.map((u) => [u.username, u.role]), [['alice', 'admin'], ['bob', 'admin']]);
    assert.ok(!Number.isNaN(Date.parse(users[0]?.createdAt ?? '')));
    const human = await walnut(['users', 'list'], env);
    assert.match(human.stdout, /^alice\s+admin\s+added \d{4}-/m);

    const passwd = await walnut(['users', 'passwd', 'alice', '--stdin'], env, 'a-brand-new-password\n');
    assert.equal(passwd.code, 0, passwd.stderr);
    assert.match(passwd.stdout, /changed the password of "alice"/);

    const { store } = await openTestStore({ dbPath: env.WALNUT_DB_PATH, key: env.WALNUT_DB_KEY });
    try {
      assert.equal(await checkPassword(store.knex, 'alice', password), null);
      assert.deepEqual(await checkPassword(store.knex, 'alice', 'a-brand-new-password'), { username: 'alice', permissions: '*' });
      const audit = (await store.knex('audit_logs').orderBy('id').select('actor', 'action', 'resource')) as Array<{ actor: string; action: string; resource: string }>;
      assert.deepEqual(audit.map((a) => a.action), ['user.added', 'user.added', 'user.password.changed']);
      for (const row of audit) assert.match(row.actor, /^cli:./);
    } finally {
      await store.close();
    }

    const removeBob = await walnut(['users', 'remove', 'bob'], env);
    assert.equal(removeBob.code, 0, removeBob.stderr);
    assert.equal(removeBob.stderr, '');
    const removeAlice = await walnut(['users', 'remove', 'alice'], env);
    assert.equal(removeAlice.code, 0, removeAlice.stderr);
    assert.match(removeAlice.stdout, /removed editor user "alice"/);
    assert.match(removeAlice.stderr, /^warning: that was the last editor user\. A hub whose editor is on loopback opens it to this machine without a login; one with WALNUT_HTTP_HOST on another address lets nobody in/);
    const gone = await walnut(['users', 'remove', 'alice'], env);
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /no user named "alice"/);

    for (const result of [add, second, again, list, human, passwd, removeBob, removeAlice]) {
      for (const text of [result.stdout, result.stderr]) {
        assert.equal(text.includes(password) || text.includes('a-brand-new-password') || text.includes('$2'), false);
      }
    }
  });

  it('refuses a password on the command line, a short one, a bad name, and prompting without a terminal', async () => {
    const argv = await walnut(['users', 'add', 'alice', password], env);
    assert.notEqual(argv.code, 0, 'a password on the command line is an error');
    assert.equal(argv.stdout.includes(password) || argv.stderr.includes(password), false, 'and is not echoed');

    const short = await walnut(['users', 'add', 'alice', '--stdin'], env, 'tooshort\n');
    assert.equal(short.code, 2);
    assert.match(short.stderr, /^walnut: the password is too short: use at least 10 characters\n$/);

    const badName = await walnut(['users', 'add', 'al ice', '--stdin'], env, password);
    assert.equal(badName.code, 2);
    assert.match(badName.stderr, /"al ice" is not a valid username/);

    const noTty = await walnut(['users', 'add', 'alice'], env);
    assert.equal(noTty.code, 2);
    assert.match(noTty.stderr, /no terminal to prompt on: pass the password with --stdin/);

    const passwdUnknown = await walnut(['users', 'passwd', 'nobody', '--stdin'], env, password);
    assert.equal(passwdUnknown.code, 2);
    assert.match(passwdUnknown.stderr, /no user named "nobody" \(add it with: walnut users add nobody\)/);

    const list = await walnut(['users', 'list', '--json'], env);
    assert.deepEqual(JSON.parse(list.stdout), [], 'nothing was added');
  });

  describe('the prompt', () => {
    let restore: Array<() => void>;
    let typed: PassThrough;
    let output: string;

    beforeEach(() => {
      restore = [];
      output = '';
      typed = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => typed });
      const stdin = Object.getOwnPropertyDescriptor(process, 'stdin');
      Object.defineProperty(process, 'stdin', { value: typed, configurable: true });
      restore.push(() => Object.defineProperty(process, 'stdin', stdin as PropertyDescriptor));
      const key = process.env.WALNUT_DB_KEY;
      process.env.WALNUT_DB_KEY = env.WALNUT_DB_KEY;
      restore.push(() => (key === undefined ? delete process.env.WALNUT_DB_KEY : (process.env.WALNUT_DB_KEY = key)));
    });

    afterEach(() => {
      for (const undo of restore.reverse()) undo();
    });

    /** Types each line once the program is reading (it opens the store before it prompts). */
    function typeLines(lines: string[]): void {
      const next = (): void => {
        const line = lines.shift();
        if (line !== undefined) typed.write(`${line}\r`);
      };
      typed.on('resume', () => setImmediate(next));
    }

    async function run(args: string[]): Promise<void> {
      const program = new Command('walnut').option('--db-path <path>').exitOverride();
      registerUsersCommands(program, (command) => command.optsWithGlobals());
      // Captured only while the command runs, so mocha's own report still shows.
      const stdoutWrite = process.stdout.write.bind(process.stdout);
      const stderrWrite = process.stderr.write.bind(process.stderr);
      process.stdout.write = ((chunk: string) => ((output += chunk), true)) as typeof process.stdout.write;
      process.stderr.write = ((chunk: string) => ((output += chunk), true)) as typeof process.stderr.write;
      try {
        await program.parseAsync(['node', 'walnut', ...args, '--db-path', env.WALNUT_DB_PATH ?? '']);
      } finally {
        process.stdout.write = stdoutWrite;
        process.stderr.write = stderrWrite;
      }
    }

    async function count(): Promise<number> {
      const { store } = await openTestStore({ dbPath: env.WALNUT_DB_PATH, key: env.WALNUT_DB_KEY });
      try {
        return await countUsers(store.knex);
      } finally {
        await store.close();
      }
    }

    it('asks twice without echo and adds the user when both entries match', async () => {
      typeLines([password, password]);
      await run(['users', 'add', 'alice']);
      assert.match(output, /password for alice: \n/);
      assert.match(output, /again, to confirm: \n/);
      assert.match(output, /added editor user "alice"/);
      assert.equal(output.includes(password), false, 'nothing typed is echoed');
      assert.equal(await count(), 1);
    });

    it('changes nothing when the entries differ, and refuses a short password before the second prompt', async () => {
      typeLines([password, `${password}x`]);
      await assert.rejects(run(['users', 'add', 'alice']), (error: unknown) => error instanceof UsageError && /the two passwords differ; nothing was changed/.test(error.message));
      typeLines(['short']);
      await assert.rejects(run(['users', 'add', 'alice']), /too short/);
      assert.doesNotMatch(output.split('password for alice: ').at(-1) ?? '', /again/);
      assert.equal(await count(), 0);
    });
  });

  describe('the editor login', () => {
    let editor: ChildProcess | undefined;

    afterEach(async () => {
      if (editor?.pid !== undefined && editor.exitCode === null) {
        editor.kill('SIGTERM');
        await exited(editor);
      }
      editor = undefined;
    });

    it('turns the login on with the first user, logs in users the CLI added after the start, and shuts out removed ones at their next request', async () => {
      editor = spawn(process.execPath, ['-r', 'tsx/cjs', '-e', EDITOR], { cwd: ROOT, env: childEnv({ ...env, USER_DIR: tempDir() }), stdio: ['ignore', 'pipe', 'pipe'] });
      const [, port] = await waitForLine(editor, /editor on (\d+)\n/, 30_000);
      const base = `http://127.0.0.1:${port}`;
      assert.equal(await flowsStatus(base), 200, 'no user yet: open to this machine');
      assert.equal((await walnut(['users', 'add', 'alice', '--stdin'], env, password)).code, 0);

      const settings = (await (await fetch(`${base}/auth/login`)).json()) as { type?: string };
      assert.equal(settings.type, 'credentials', 'the editor asks for a login');
      assert.equal(await flowsStatus(base), 401);
      assert.equal((await login(base, 'alice', 'wrong password')).token, undefined);
      const alice = await login(base, 'alice', password);
      assert.equal(alice.status, 200);
      assert.ok(alice.token);
      assert.equal(await flowsStatus(base, alice.token), 200);

      assert.equal((await walnut(['users', 'add', 'bob', '--stdin'], env, 'bobs-long-password')).code, 0);
      const bob = await login(base, 'bob', 'bobs-long-password');
      assert.ok(bob.token, 'a user added while the editor runs logs in without a restart');

      assert.equal((await walnut(['users', 'remove', 'alice'], env)).code, 0);
      assert.equal(await flowsStatus(base, alice.token), 401, "a removed user's session ends at the next request");
      assert.equal((await login(base, 'alice', password)).token, undefined);
      assert.equal(await flowsStatus(base, bob.token), 200);
    });
  });
});
