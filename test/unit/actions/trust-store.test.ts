import { strict as assert } from 'node:assert';
import { recordTrust, trustedFingerprint } from '../../../src/actions/trust-store';
import { ensureSite } from '../../../src/store/sites';
import type { Store } from '../../../src/store/store';
import { describeEachBackend, openTestStore } from '../../helpers/store';

describeEachBackend('trusted host keys', function (backend) {
  let store: Store;
  let north: number;
  let south: number;
  beforeEach(async () => {
    store = (await openTestStore({ backend })).store;
    north = (await ensureSite(store.knex, 'north')).id;
    south = (await ensureSite(store.knex, 'south')).id;
  });
  afterEach(() => store.close());

  const nas = { host: '192.168.1.10', port: 22 };
  const trust = (siteId: number, target: string, fingerprint: string) =>
    recordTrust(store.knex, { ...nas, target, algorithm: 'ssh-ed25519', fingerprint }, 'cli:test', siteId);

  it('keeps one trust per site and address: two sites\' machines at the same private address never vouch for each other', async () => {
    await trust(north, 'nas', 'SHA256:north');
    assert.equal(await trustedFingerprint(store.knex, south, nas), undefined, 'north\'s trust says nothing about south\'s machine');
    await trust(south, 'nas', 'SHA256:south');
    assert.equal(await trustedFingerprint(store.knex, north, nas), 'SHA256:north', 'south\'s trust did not overwrite north\'s');
    assert.equal(await trustedFingerprint(store.knex, south, nas), 'SHA256:south');
  });

  it('lets two targets on one machine share its trust, and a second trust replace the first', async () => {
    await trust(north, 'nas', 'SHA256:one');
    await trust(north, 'nas-root', 'SHA256:two');
    assert.equal(await trustedFingerprint(store.knex, north, nas), 'SHA256:two');
    assert.equal(await trustedFingerprint(store.knex, north, { ...nas, port: 2222 }), undefined, 'another port is another endpoint');
    assert.equal(Number(((await store.knex('trusted_keys').count({ n: '*' }).first()) as { n: number | string }).n), 1, 'one row for the machine');
  });
});
