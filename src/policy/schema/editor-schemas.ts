/**
 * The JSON files in rules/schema/, for editors (yaml-language-server): built
 * from the same typed schemas the loader checks with, so the two cannot
 * differ. `npm run schemas` writes them; a test fails when they are stale.
 */
import { API_VERSION } from '../spec';
import { SCHEMA_ID_BASE } from './common';
import { policyDocumentSchema } from './policy';
import { targetsDocumentSchema } from './targets';

const DRAFT = 'http://json-schema.org/draft-07/schema#';

function withoutId(schema: object): object {
  const copy: Record<string, unknown> = { ...schema };
  delete copy.$id;
  return copy;
}

export function editorSchemas(): Record<string, object> {
  return {
    'targets.schema.json': { $schema: DRAFT, ...targetsDocumentSchema },
    'policy.schema.json': { $schema: DRAFT, ...policyDocumentSchema },
    // One schema for any rules document: editors pick the branch from `kind`.
    'rules.schema.json': {
      $schema: DRAFT,
      $id: `${SCHEMA_ID_BASE}rules`,
      title: `walNUT rules document (${API_VERSION})`,
      definitions: { targets: withoutId(targetsDocumentSchema), policy: withoutId(policyDocumentSchema) },
      if: { properties: { kind: { const: 'Targets' } } },
      then: { $ref: '#/definitions/targets' },
      else: { $ref: '#/definitions/policy' },
    },
  };
}

export function renderSchema(schema: object): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
