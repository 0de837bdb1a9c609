import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { load } from 'js-yaml';
import { editorSchemas, renderSchema } from '../../../src/policy/schema/editor-schemas';

describe('rules/schema: the JSON Schemas editors use', () => {
  it('are what src/policy/schema builds (run `npm run schemas` after changing the schema)', async () => {
    for (const [name, schema] of Object.entries(editorSchemas())) {
      assert.equal(await fs.readFile(path.join('rules/schema', name), 'utf8'), renderSchema(schema), name);
    }
  });

  it('rules.schema.json alone (no walNUT code, as an editor sees it) accepts the examples and rejects a broken file', async () => {
    // An editor knows neither ajv's `discriminator` nor `nullable`: a plain validator ignores them.
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(await fs.readFile('rules/schema/rules.schema.json', 'utf8')) as object);
    for (const name of ['targets.yaml', 'homelab.yaml']) {
      assert.ok(validate(load(await fs.readFile(path.join('rules', name), 'utf8'))), `${name}: ${ajv.errorsText(validate.errors)}`);
    }
    const broken = load(await fs.readFile('test/fixtures/rules/broken/action-op-unknown.yaml', 'utf8'));
    assert.equal(validate(broken), false);
  });
});
