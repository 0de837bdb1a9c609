import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { currentVersion, migrateFlows, migrateNodeConfig, NODE_MIGRATIONS } from '../../../src/flows/node-migrations';
import { UsageError } from '../../../src/errors';

/** The defaults each node's editor declares (its .html), which a v0 config may lack. */
function editorDefaults(type: string): Record<string, unknown> {
  const html = fs.readFileSync(`nodes/${type}/${type}.html`, 'utf8');
  const block = /defaults:\s*\{([\s\S]*?)\n\s*\},/.exec(html)![1]!;
  const defaults: Record<string, unknown> = {};
  for (const match of block.matchAll(/(\w+): \{ value: ('[^']*'|[\d.]+|true|false)/g)) {
    const raw = match[2]!;
    defaults[match[1]!] = raw.startsWith("'") ? raw.slice(1, -1) : raw === 'true' ? true : raw === 'false' ? false : Number(raw);
  }
  return defaults;
}

describe('node config migrations', () => {
  for (const type of Object.keys(NODE_MIGRATIONS)) {
    it(`${type}: v0 → v1 fills every property its editor defaults, and the editor creates v1`, () => {
      const defaults = editorDefaults(type);
      assert.equal(defaults.version, 1, 'new nodes are made at the current version');
      assert.equal(currentVersion(type), 1);
      const v0: Record<string, unknown> & { type: string } = { id: 'n1', type, name: 'kept' };
      const v1 = migrateNodeConfig(v0);
      for (const [key, value] of Object.entries(defaults)) {
        if (key === 'name') continue;
        if (key === 'server' || key === 'policy' || key === 'target') continue; // references and names have no meaningful default
        assert.deepEqual(v1[key], value, `${type}.${key}`);
      }
      assert.equal(v1.name, 'kept', 'what the config has is kept');
      assert.deepEqual(migrateNodeConfig(v1), v1, 'a current config is left as it is');
    });
  }

  it('refuses a config from a newer walNUT, and a version that is not one', () => {
    assert.throws(() => migrateNodeConfig({ id: 'n1', type: 'policy', version: 2 }), (error: unknown) => error instanceof UsageError && /made by a newer walNUT/.test(error.message));
    assert.throws(() => migrateNodeConfig({ id: 'n1', type: 'policy', version: 'x' }), UsageError);
  });

  it('leaves other node types alone', () => {
    const flows: Array<Record<string, unknown> & { type: string }> = [{ id: 'd', type: 'debug', active: true }, { id: 'p', type: 'policy', policy: 'lab' }];
    const migrated = migrateFlows(flows);
    assert.deepEqual(migrated[0], flows[0]);
    assert.equal(migrated[1]!.version, 1);
  });
});
