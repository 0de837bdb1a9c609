/** `walnut secrets` on a fleet database: each site's secrets apart, fleet-wide ones with --fleet. */
import { strict as assert } from 'node:assert';
import { walnut } from '../../helpers/process';
import { sharedPostgres } from '../../helpers/postgres';
import { tempDir, testKey } from '../../helpers/temp';

interface Listed {
  name: string;
  scope: 'site' | 'fleet';
}

describe('walnut secrets on a fleet database', function () {
  this.timeout(120_000);

  it('a site\'s secret never replaces another site\'s; --fleet sets and removes the shared one', async () => {
    const url = (await sharedPostgres()).createDatabase();
    const base = { WALNUT_DATA_DIR: tempDir(), WALNUT_DB_KEY: testKey('fleet-secrets'), DATABASE_URL: url };
    const north = { ...base, WALNUT_SITE: 'north' };
    const south = { ...base, WALNUT_SITE: 'south' };
    const run = async (env: Record<string, string>, args: string[], input?: string): Promise<string> => {
      const result = await walnut(['secrets', ...args], env, input);
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };
    const listed = async (env: Record<string, string>): Promise<string[]> =>
      (JSON.parse(await run(env, ['list', '--json'])) as Listed[]).map((entry) => `${entry.name} ${entry.scope}`);

    assert.match(await run(north, ['set', 'ssh/nas', '--stdin'], 'north-key'), /stored secret "ssh\/nas" for site "north"/);
    assert.match(await run(south, ['set', 'ssh/nas', '--stdin'], 'south-key'), /stored secret "ssh\/nas" for site "south"/, 'new for south: north\'s is not south\'s');
    assert.match(await run(north, ['set', 'nut/monuser', '--stdin', '--fleet'], 'shared'), /stored secret "nut\/monuser" for the whole fleet/);
    assert.deepEqual(await listed(north), ['nut/monuser fleet', 'ssh/nas site']);
    assert.deepEqual(await listed(south), ['nut/monuser fleet', 'ssh/nas site']);
    assert.match(await run(north, ['list']), /ssh\/nas\s+north\s+updated/);

    const refused = await walnut(['secrets', 'rm', 'nut/monuser'], south);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /no secret named "nut\/monuser" for site "south"; a fleet-wide one exists: walnut secrets rm nut\/monuser --fleet/);
    assert.match(await run(south, ['rm', 'ssh/nas']), /removed secret "ssh\/nas" for site "south"/);
    assert.deepEqual(await listed(north), ['nut/monuser fleet', 'ssh/nas site'], 'south\'s removal left north\'s');
    await run(south, ['rm', 'nut/monuser', '--fleet']);
    assert.deepEqual(await listed(north), ['ssh/nas site']);
  });
});
