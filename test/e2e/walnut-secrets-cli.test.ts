import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { walnut, walnutDb } from '../helpers/process';
import { tempDir, testKey } from '../helpers/temp';

describe('walnut secrets CLI', () => {
  let dir: string;
  let env: Record<string, string>;
  const value = 'Tapo-Pa55word!-never-printed';

  beforeEach(async () => {
    dir = tempDir();
    env = { WALNUT_DB_PATH: path.join(dir, 'walnut.db'), WALNUT_DB_KEY: testKey() };
    assert.equal((await walnutDb(['init'], env)).code, 0);
  });

  it('sets from stdin and from a file, lists names without values, removes', async () => {
    const fromStdin = await walnut(['secrets', 'set', 'tapo/plug', '--stdin'], env, `${value}\n`);
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.match(fromStdin.stdout, /stored secret "tapo\/plug"/);

    fs.writeFileSync(path.join(dir, 'token'), 'pve-token-value\n');
    const fromFile = await walnut(['secrets', 'set', 'proxmox/token', '--from-file', path.join(dir, 'token')], env);
    assert.equal(fromFile.code, 0, fromFile.stderr);

    const list = await walnut(['secrets', 'list', '--json'], env);
    assert.equal(list.code, 0, list.stderr);
    const names = (JSON.parse(list.stdout) as Array<{ name: string; updatedAt: string }>).map((s) => s.name);
    assert.deepEqual(names, ['proxmox/token', 'tapo/plug']);
    assert.equal(list.stdout.includes(value) || list.stdout.includes('pve-token-value'), false);

    const human = await walnut(['secrets', 'list'], env);
    assert.match(human.stdout, /tapo\/plug/);
    assert.equal(human.stdout.includes(value), false);

    const rm = await walnut(['secrets', 'rm', 'tapo/plug'], env);
    assert.equal(rm.code, 0, rm.stderr);
    const again = await walnut(['secrets', 'rm', 'tapo/plug'], env);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /no secret named "tapo\/plug"/);
    for (const output of [fromStdin, fromFile, list, rm].flatMap((r) => [r.stdout, r.stderr])) assert.equal(output.includes(value), false);
  });

  it('never takes a value from argv, and will not prompt without a terminal', async () => {
    const extra = await walnut(['secrets', 'set', 'name', value], env);
    assert.notEqual(extra.code, 0, 'a value on the command line is an error');
    assert.equal(extra.stdout.includes(value) || extra.stderr.includes(value), false, 'and is not echoed');
    const noTty = await walnut(['secrets', 'set', 'name'], env);
    assert.equal(noTty.code, 1);
    assert.match(noTty.stderr, /no terminal to prompt on: pass the value with --from-file FILE or --stdin/);
  });

  it('rejects an invalid name before reading anything', async () => {
    const result = await walnut(['secrets', 'set', '../../etc/passwd', '--stdin'], env, 'x');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /is not a valid secret name/);
  });
});
