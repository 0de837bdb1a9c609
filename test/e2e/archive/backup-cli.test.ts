import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Store } from '../../../src/store/store';
import { walnut } from '../../helpers/process';
import { tempDir, testKey } from '../../helpers/temp';

const CANARY = 'CANARY-cli-backup-8c21';

describe('walnut backup', function () {
  this.timeout(120_000);
  const dataDir = tempDir();
  const env = { WALNUT_DATA_DIR: dataDir, WALNUT_DB_KEY: testKey('cli') };
  const run = (args: string[], input?: string, extra: Record<string, string> = {}) => walnut(['backup', ...args], { ...env, ...extra }, input);

  before(async () => {
    assert.equal((await walnut(['secrets', 'set', 'canary', '--stdin'], env, CANARY)).code, 0);
  });

  it('creates, lists and keeps the newest N, quietly when not on a terminal', async () => {
    const made: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const created = await run(['create', '--json', '--keep', '2']);
      assert.equal(created.code, 0, created.stderr);
      assert.equal(created.stderr, '', 'no progress bar without a TTY');
      const result = JSON.parse(created.stdout) as { path: string; type: string; rows: number; pruned: string[] };
      assert.equal(result.type, 'full');
      assert.ok(result.path.startsWith(path.join(dataDir, 'backups')));
      assert.ok(!fs.readFileSync(result.path).includes(CANARY), 'no secret in clear in the archive');
      made.push(result.path);
    }
    assert.ok(!fs.existsSync(made[0]!), 'the oldest was removed');
    const listed = JSON.parse((await run(['list', '--json'])).stdout) as Array<{ path: string; present: boolean }>;
    assert.deepEqual(listed.map((row) => row.path), [made[2], made[1]]);
  });

  it('verifies an archive and names the damaged section', async () => {
    const file = (JSON.parse((await run(['create', '--json'])).stdout) as { path: string }).path;
    const ok = await run(['verify', file]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /: ok \(full, .*every section's sha256 and GCM tag checked/);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 5]! ^= 0xff; // inside the last section: tombstones
    const damaged = path.join(tempDir(), 'damaged.wnar');
    fs.writeFileSync(damaged, bytes);
    const bad = await run(['verify', damaged]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /section "tombstones"/);
  });

  it('dry-runs a restore, and refuses a real one while a hub holds the store', async () => {
    const file = (JSON.parse((await run(['create', '--json'])).stdout) as { path: string }).path;
    const dry = await run(['restore', file, '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    const report = JSON.parse(dry.stdout) as { dryRun: boolean; tables: Array<{ table: string; rows: number; conflicts: number }> };
    assert.equal(report.dryRun, true);
    const secrets = report.tables.find((table) => table.table === 'secrets')!;
    assert.deepEqual([secrets.rows, secrets.conflicts], [1, 1]);

    const held = await Store.open({ settings: { dbPath: path.join(dataDir, 'walnut.db'), production: false, allowNetworkFs: false }, env, lockAs: 'walnut hub' });
    try {
      const refused = await run(['restore', file, '--replace']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /in use by walnut hub/);
    } finally {
      await held.close();
    }
  });

  it('restores on another hub, with another master key, through a passphrase', async () => {
    const passphraseFile = path.join(tempDir(), 'passphrase');
    fs.writeFileSync(passphraseFile, 'a long passphrase for moving hubs\n');
    const file = (JSON.parse((await run(['create', '--json', '--passphrase-file', passphraseFile])).stdout) as { path: string }).path;
    const otherDir = tempDir();
    const other = { WALNUT_DATA_DIR: otherDir, WALNUT_DB_KEY: testKey('other') };
    const withoutPassphrase = await walnut(['backup', 'restore', file], other);
    assert.equal(withoutPassphrase.code, 1);
    assert.match(withoutPassphrase.stderr, /protected by a passphrase: give it with --passphrase-file/);
    const restored = await walnut(['backup', 'restore', file, '--replace', '--passphrase-file', passphraseFile], other);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /restored .* \(full, replace\)/);
    const store = await Store.open({ settings: { dbPath: path.join(otherDir, 'walnut.db'), production: false, allowNetworkFs: false }, env: other });
    try {
      assert.equal(await store.secrets().get('canary'), CANARY);
    } finally {
      await store.close();
    }
  });
});
