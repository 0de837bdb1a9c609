// Writes rules/schema/*.json from src/policy/schema (run: npm run schemas).
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { editorSchemas, renderSchema } from '../src/policy/schema/editor-schemas';

const dir = path.join(__dirname, '..', 'rules', 'schema');
for (const [name, schema] of Object.entries(editorSchemas())) {
  writeFileSync(path.join(dir, name), renderSchema(schema));
  process.stdout.write(`wrote rules/schema/${name}\n`);
}
