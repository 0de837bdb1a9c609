import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { openTestStore } from '../../helpers/store';
import { childEnv, exited, waitForLine } from '../../helpers/process';

describe('two processes on one store', () => {
  it('a reader reads during a write; a second writer waits under the busy timeout, then succeeds', async () => {
    const { store, dbPath, key } = await openTestStore({ backend: 'sqlite' });
    await store.knex('sites').insert({ name: 'before', created_at: 1, updated_at: 1 });
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, '../../fixtures/hold-write-lock.ts'), dbPath, '400'], {
      env: childEnv({ WALNUT_DB_KEY: key }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForLine(child, /locked/);

    const during = (await store.knex('sites').pluck('name')) as string[];
    assert.deepEqual(during, ['before'], 'WAL lets the reader see the last committed state at once');

    const start = Date.now();
    await store.knex('sites').insert({ name: 'from-parent', created_at: 2, updated_at: 2 });
    const waited = Date.now() - start;
    assert.ok(waited >= 200, `the write waited for the other writer (${waited} ms)`);
    assert.ok(waited < 5000, 'and finished inside the 5 s busy timeout');
    assert.deepEqual((await exited(child)).code, 0);
    assert.deepEqual(((await store.knex('sites').orderBy('id').pluck('name')) as string[]), ['before', 'from-child', 'from-parent']);
    await store.close();
  });
});
