import { strict as assert } from 'node:assert';
import { HubStartError, UsageError } from '../../src/errors';
import { adminAuthFor, assertEditorBind, isLoopbackHost } from '../../src/hub/admin-auth';
import { ensureSite } from '../../src/store/sites';
import type { Store } from '../../src/store/store';
import { addUser, checkPassword, countUsers, listUsers, removeUser, setPassword } from '../../src/store/users';
import { openTestStore } from '../helpers/store';

// Node-RED's own consumers of adminAuth: what the editor's login and every authenticated request call.
const nodeRedUsers = require('@node-red/editor-api/lib/auth/users') as {
  init(config: unknown): void;
  get(username: string): Promise<{ username: string; permissions: string } | null | undefined>;
  authenticate(username: string, password: string): Promise<{ username: string; permissions: string } | null>;
  default(): Promise<{ anonymous: true; permissions: string } | null>;
};
const nodeRedPermissions = require('@node-red/editor-api/lib/auth/permissions') as { hasPermission(scope: unknown, permission: string): boolean };

const ALICE_PW = 'correct horse battery';
const NEW_PW = 'staple-9-Battery!';
const ACTOR = 'cli:tester';

interface AuditRow { site_id: number; actor: string; action: string; resource: string; before: string | null; after: string | null }

describe('editor users', () => {
  let store: Store;
  let siteId: number;

  beforeEach(async () => {
    ({ store } = await openTestStore());
    siteId = (await ensureSite(store.knex, 'default')).id;
  });

  afterEach(async () => {
    await store.close();
  });

  it('adds, lists, counts, changes a password and removes, with a bcrypt hash of cost 12', async () => {
    assert.equal(await countUsers(store.knex), 0);
    await addUser(store.knex, 'alice', ALICE_PW, ACTOR, siteId);
    await addUser(store.knex, 'bob.ops@lab-1', 'another long password', ACTOR, siteId);
    assert.equal(await countUsers(store.knex), 2);

    const listed = await listUsers(store.knex);
    assert.deepEqual(listed.map((u) => [u.username, u.role]), [['alice', 'admin'], ['bob.ops@lab-1', 'admin']]);
    assert.ok(listed[0]?.createdAt instanceof Date && listed[0].createdAt.getTime() > 0);
    assert.equal(JSON.stringify(listed).includes('$2'), false, 'no hash in a listing');

    const row = (await store.knex('users').where({ username: 'alice' }).first()) as { password_hash: string };
    assert.match(row.password_hash, /^\$2[aby]\$12\$/);
    assert.equal(row.password_hash.includes(ALICE_PW), false);

    assert.deepEqual(await checkPassword(store.knex, 'alice', ALICE_PW), { username: 'alice', permissions: '*' });
    await setPassword(store.knex, 'alice', NEW_PW, ACTOR, siteId);
    assert.equal(await checkPassword(store.knex, 'alice', ALICE_PW), null, 'the old password no longer works');
    assert.deepEqual(await checkPassword(store.knex, 'alice', NEW_PW), { username: 'alice', permissions: '*' });

    await removeUser(store.knex, 'alice', ACTOR, siteId);
    assert.equal(await checkPassword(store.knex, 'alice', NEW_PW), null);
    assert.deepEqual((await listUsers(store.knex)).map((u) => u.username), ['bob.ops@lab-1']);
    const tombstones = (await store.knex('tombstones').where({ table_name: 'users' })) as unknown[];
    assert.equal(tombstones.length, 1, 'a removal leaves a tombstone for incremental backups');

    await removeUser(store.knex, 'bob.ops@lab-1', ACTOR, siteId);
    assert.equal(await countUsers(store.knex), 0, 'removing the last user is allowed');
  });

  it('refuses bad names, duplicates, unknown users and short or oversized passwords, never echoing a password', async () => {
    for (const name of ['', 'a b', 'x'.repeat(65), 'ali/ce', 'al:ice', 'zoë', 'alice\n']) {
      await assert.rejects(addUser(store.knex, name, ALICE_PW, ACTOR, siteId), (error: unknown) => {
        assert.ok(error instanceof UsageError, String(error));
        assert.match(error.message, /is not a valid username: 1-64 letters, digits/);
        return true;
      });
    }
    await addUser(store.knex, 'x'.repeat(64), ALICE_PW, ACTOR, siteId);

    const short = 'short-pw9';
    await assert.rejects(addUser(store.knex, 'carol', short, ACTOR, siteId), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /too short: use at least 10 characters/);
      assert.equal(error.message.includes(short), false);
      return true;
    });
    await assert.rejects(addUser(store.knex, 'carol', 'ä'.repeat(40), ACTOR, siteId), /too long: bcrypt uses only the first 72 bytes/);
    await addUser(store.knex, 'carol', 'ääääääääää', ACTOR, siteId); // ten characters, twenty bytes

    await addUser(store.knex, 'alice', ALICE_PW, ACTOR, siteId);
    await assert.rejects(addUser(store.knex, 'alice', ALICE_PW, ACTOR, siteId), /user "alice" already exists/);
    await assert.rejects(addUser(store.knex, 'Alice', ALICE_PW, ACTOR, siteId), /user "alice" already exists \(names differ only in letter case\)/);
    await assert.rejects(setPassword(store.knex, 'alice', short, ACTOR, siteId), /too short/);
    await assert.rejects(setPassword(store.knex, 'nobody', NEW_PW, ACTOR, siteId), /no user named "nobody"/);
    await assert.rejects(removeUser(store.knex, 'nobody', ACTOR, siteId), /no user named "nobody"/);
    assert.deepEqual(await checkPassword(store.knex, 'alice', ALICE_PW), { username: 'alice', permissions: '*' }, 'a refused change left alice as she was');
  });

  it('checkPassword: right, wrong, unknown, empty, differently cased, or longer than bcrypt reads', async () => {
    const exactly72 = 'p'.repeat(72);
    await addUser(store.knex, 'alice', exactly72, ACTOR, siteId);
    assert.deepEqual(await checkPassword(store.knex, 'alice', exactly72), { username: 'alice', permissions: '*' });
    assert.equal(await checkPassword(store.knex, 'alice', `${exactly72}extra`), null, 'bcrypt would ignore the extra bytes: we do not');
    assert.equal(await checkPassword(store.knex, 'alice', 'p'.repeat(71)), null);
    assert.equal(await checkPassword(store.knex, 'alice', ''), null);
    assert.equal(await checkPassword(store.knex, 'ALICE', exactly72), null, 'names are exact');
    assert.equal(await checkPassword(store.knex, 'nobody', exactly72), null);
    assert.equal(await checkPassword(store.knex, 'bad name', exactly72), null);
    await store.knex('users').where({ username: 'alice' }).update({ role: 'viewer' });
    assert.equal(await checkPassword(store.knex, 'alice', exactly72), null, 'an unknown role gets no access');
  });

  it('writes one audit row per change, with actor, site and resource, and no hash or password', async () => {
    await addUser(store.knex, 'alice', ALICE_PW, ACTOR, siteId);
    await setPassword(store.knex, 'alice', NEW_PW, 'cli:root', siteId);
    await removeUser(store.knex, 'alice', ACTOR, siteId);
    await assert.rejects(addUser(store.knex, 'bad name', ALICE_PW, ACTOR, siteId));

    const rows = (await store.knex('audit_logs').orderBy('id')) as AuditRow[];
    assert.deepEqual(rows.map((r) => [r.action, r.resource, r.actor, r.site_id]), [
      ['user.added', 'user/alice', ACTOR, siteId],
      ['user.password.changed', 'user/alice', 'cli:root', siteId],
      ['user.removed', 'user/alice', ACTOR, siteId],
    ]);
    assert.deepEqual(JSON.parse(rows[0]?.after ?? 'null'), { username: 'alice', role: 'admin' });
    assert.equal(rows[0]?.before, null);
    assert.deepEqual(JSON.parse(rows[1]?.after ?? 'null'), { username: 'alice', role: 'admin', passwordChanged: true });
    assert.deepEqual(JSON.parse(rows[2]?.before ?? 'null'), { username: 'alice', role: 'admin' });
    assert.equal(rows[2]?.after, null);
    const text = JSON.stringify(rows);
    for (const forbidden of ['$2a$', '$2b$', 'hash', ALICE_PW, NEW_PW]) assert.equal(text.includes(forbidden), false, `audit rows contain ${forbidden}`);
  });

  describe('adminAuthFor', () => {
    it('opens the editor anonymously only on loopback and only while no user exists, decided at each request', async () => {
      const onLoopback = adminAuthFor(store.knex, { loopback: true });
      const beyond = adminAuthFor(store.knex, { loopback: false });
      assert.deepEqual(await onLoopback.default(), { anonymous: true, permissions: '*' });
      assert.equal(await beyond.default(), null, 'beyond loopback never anonymous');
      await addUser(store.knex, 'alice', ALICE_PW, ACTOR, siteId);
      assert.equal(await onLoopback.default(), null, 'the first user turns the login on without a restart');
      await removeUser(store.knex, 'alice', ACTOR, siteId);
      assert.deepEqual(await onLoopback.default(), { anonymous: true, permissions: '*' });
      assert.equal(await beyond.default(), null, 'the last user gone: nobody gets in beyond loopback');
    });

    it('serves users and authenticate from the table, read at each call', async () => {
      await addUser(store.knex, 'alice', ALICE_PW, ACTOR, siteId);
      const auth = adminAuthFor(store.knex, { loopback: true });
      assert.equal(auth.type, 'credentials');
      assert.deepEqual(await auth.users('alice'), { username: 'alice', permissions: '*' });
      assert.equal(await auth.users('nobody'), null);
      assert.deepEqual(await auth.authenticate('alice', ALICE_PW), { username: 'alice', permissions: '*' });
      assert.equal(await auth.authenticate('alice', 'wrong password!'), null);
      assert.equal(await auth.authenticate('nobody', ALICE_PW), null);

      // Added after the hub built its adminAuth: logs in without a restart.
      await addUser(store.knex, 'bob', NEW_PW, ACTOR, siteId);
      assert.deepEqual(await auth.authenticate('bob', NEW_PW), { username: 'bob', permissions: '*' });
      // Removed: the token check (users) fails at the next request.
      await removeUser(store.knex, 'alice', ACTOR, siteId);
      assert.equal(await auth.users('alice'), null);
      assert.equal(await auth.authenticate('alice', ALICE_PW), null);
    });

    it("has the shapes Node-RED's editor-api consumes", async () => {
      await addUser(store.knex, 'alice', ALICE_PW, ACTOR, siteId);
      const auth = adminAuthFor(store.knex, { loopback: true });
      nodeRedUsers.init(auth);
      try {
        const user = await nodeRedUsers.authenticate('alice', ALICE_PW);
        assert.deepEqual(user, { username: 'alice', permissions: '*' });
        assert.equal(nodeRedPermissions.hasPermission(user?.permissions, 'flows.write'), true);
        assert.equal(nodeRedPermissions.hasPermission(user?.permissions, '*'), true);
        assert.equal(await nodeRedUsers.authenticate('alice', 'not the password'), null);
        assert.deepEqual(await nodeRedUsers.get('alice'), { username: 'alice', permissions: '*' });
        assert.equal(await nodeRedUsers.get('nobody'), null);
        assert.equal(await nodeRedUsers.default(), null, 'no anonymous editor once a user exists');
      } finally {
        nodeRedUsers.init({});
      }
    });

    it('answers "no such user" instead of rejecting when the store fails, and reports the error', async () => {
      await addUser(store.knex, 'alice', ALICE_PW, ACTOR, siteId);
      const errors: unknown[] = [];
      const auth = adminAuthFor(store.knex, { loopback: true, onError: (error) => errors.push(error) });
      await store.knex.destroy();
      assert.equal(await auth.users('alice'), null);
      assert.equal(await auth.authenticate('alice', ALICE_PW), null);
      assert.equal(await auth.default(), null, 'a store that fails opens nothing');
      assert.equal(errors.length, 3);
      ({ store } = await openTestStore()); // afterEach closes this one
    });
  });

  describe('assertEditorBind', () => {
    const loopback = ['127.0.0.1', '127.0.1.1', '127.255.255.254', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'];
    const open = ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', '128.0.0.1', '::ffff:10.0.0.1', 'fe80::1', 'nas.lan', 'localhost.evil.example', ''];

    it('knows loopback addresses', () => {
      for (const host of loopback) assert.equal(isLoopbackHost(host), true, host);
      for (const host of open) assert.equal(isLoopbackHost(host), false, host);
    });

    it('lets an editor without users listen only on loopback', () => {
      for (const host of loopback) assert.doesNotThrow(() => assertEditorBind(host, false), host);
      for (const host of [...loopback, ...open]) assert.doesNotThrow(() => assertEditorBind(host, true), host);
      for (const host of open) {
        assert.throws(() => assertEditorBind(host, false), (error: unknown) => {
          assert.ok(error instanceof HubStartError);
          assert.equal(error.code, 'HUB_START_FAILED');
          assert.match(error.message, /^editor: WALNUT_HTTP_HOST is .*not a loopback address, and no editor user exists/);
          assert.match(error.message, /Run "walnut users add NAME" first, or bind WALNUT_HTTP_HOST to 127\.0\.0\.1/);
          return true;
        }, host);
      }
    });
  });
});
