import type { JSONSchemaType } from 'ajv';
import { DURATION_PATTERN } from '../duration';
import type { SecretRef } from '../spec';

/** Names, not addresses: editors find the files through `# yaml-language-server: $schema=schema/rules.schema.json`. */
export const SCHEMA_ID_BASE = 'urn:walnut:schema:v1:';

/** Names of targets, policies and stages: they become MQTT topics and Home Assistant ids. */
export const NAME_PATTERN = '^[a-z0-9][a-z0-9_-]{0,63}$';
/** `upsname[@host[:port]]`, as upsc and upsmon write it. */
export const UPS_NAME_PATTERN = '^[A-Za-z0-9_.-]+(@[A-Za-z0-9_.:\\[\\]-]+)?$';
/** A host name, IPv4 or IPv6 address. */
export const HOST_PATTERN = '^[A-Za-z0-9_.:\\[\\]-]+$';
/** As `walnut secrets set` accepts names. */
export const SECRET_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$';
export const MAC_PATTERN = '^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$';
/** OpenSSH's `SHA256:` base64 fingerprint. */
export const SSH_FINGERPRINT_PATTERN = '^SHA256:[A-Za-z0-9+/]{43}=?$';
/** A TLS certificate's SHA-256, as hex pairs with colons (what browsers and openssl print). */
export const TLS_FINGERPRINT_PATTERN = '^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){31}$';

export const durationSchema: JSONSchemaType<string> = { type: 'string', pattern: DURATION_PATTERN };
export const nameSchema: JSONSchemaType<string> = { type: 'string', pattern: NAME_PATTERN };
export const percentSchema: JSONSchemaType<number> = { type: 'number', minimum: 0, maximum: 100 };

export const secretRefSchema: JSONSchemaType<SecretRef> = {
  type: 'object',
  properties: { secretRef: { type: 'string', pattern: SECRET_NAME_PATTERN } },
  required: ['secretRef'],
  additionalProperties: false,
};

/** `{ for: 5m }`: how long a condition must hold. */
export const holdSchema: JSONSchemaType<{ for?: string }> = {
  type: 'object',
  properties: { for: { ...durationSchema, nullable: true } },
  additionalProperties: false,
};
