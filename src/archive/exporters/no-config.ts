import type { JSONSchemaType } from 'ajv';

/** Exporters that take no config still reject unknown keys, so a typo is not silently ignored. */
export type NoConfig = Record<string, never>;

export const noConfigSchema = {
  type: 'object',
  properties: {},
  required: [],
  additionalProperties: false,
} as unknown as JSONSchemaType<NoConfig>;
