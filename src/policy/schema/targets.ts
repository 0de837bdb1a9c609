import type { JSONSchemaType } from 'ajv';
import type {
  ProxmoxGuests, ProxmoxTarget, ShellyTarget, SshTarget, TapoTarget, Target, TargetsDocument, UpsTarget,
  WolTarget,
} from '../spec';
import {
  HOST_PATTERN, MAC_PATTERN, NAME_PATTERN, SCHEMA_ID_BASE, SSH_FINGERPRINT_PATTERN, TLS_FINGERPRINT_PATTERN,
  UPS_NAME_PATTERN, nameSchema, secretRefSchema,
} from './common';

const common = {
  description: { type: 'string', nullable: true, maxLength: 1024 },
  watts: { type: 'number', nullable: true, minimum: 0 },
  depends_on: { type: 'array', nullable: true, items: nameSchema, uniqueItems: true },
  self: { type: 'boolean', nullable: true },
} as const;

const host = { type: 'string', pattern: HOST_PATTERN } as const;
const port = { type: 'integer', minimum: 1, maximum: 65535, nullable: true } as const;

export const sshTargetSchema: JSONSchemaType<SshTarget> = {
  type: 'object',
  properties: {
    ...common,
    type: { type: 'string', const: 'ssh' },
    host,
    port,
    user: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' },
    key: secretRefSchema,
    host_key_fingerprint: { type: 'string', nullable: true, pattern: SSH_FINGERPRINT_PATTERN },
    command: { type: 'string', nullable: true, minLength: 1 },
  },
  required: ['type', 'host', 'user', 'key'],
  additionalProperties: false,
};

const guestsSchema: JSONSchemaType<ProxmoxGuests> = {
  type: 'object',
  properties: {
    all: { type: 'boolean', nullable: true, enum: [true] },
    ids: { type: 'array', nullable: true, items: { type: 'integer', minimum: 100 }, minItems: 1, uniqueItems: true },
    tags: { type: 'array', nullable: true, items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true },
  },
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
};

export const proxmoxTargetSchema: JSONSchemaType<ProxmoxTarget> = {
  type: 'object',
  properties: {
    ...common,
    type: { type: 'string', const: 'proxmox' },
    url: { type: 'string', format: 'uri', pattern: '^https://' },
    token: secretRefSchema,
    tls_fingerprint: { type: 'string', nullable: true, pattern: TLS_FINGERPRINT_PATTERN },
    ca_file: { type: 'string', nullable: true, minLength: 1 },
    node: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9.-]*$' },
    guests: { ...guestsSchema, nullable: true },
    exclude: { type: 'array', nullable: true, items: { type: 'integer', minimum: 100 }, uniqueItems: true },
  },
  required: ['type', 'url', 'token', 'node'],
  additionalProperties: false,
};

export const tapoTargetSchema: JSONSchemaType<TapoTarget> = {
  type: 'object',
  properties: { ...common, type: { type: 'string', const: 'tapo' }, host, credentials: secretRefSchema },
  required: ['type', 'host', 'credentials'],
  additionalProperties: false,
};

export const shellyTargetSchema: JSONSchemaType<ShellyTarget> = {
  type: 'object',
  properties: {
    ...common,
    type: { type: 'string', const: 'shelly' },
    host,
    channel: { type: 'integer', nullable: true, minimum: 0, maximum: 15 },
    credentials: { ...secretRefSchema, nullable: true },
  },
  required: ['type', 'host'],
  additionalProperties: false,
};

export const wolTargetSchema: JSONSchemaType<WolTarget> = {
  type: 'object',
  properties: {
    ...common,
    type: { type: 'string', const: 'wol' },
    mac: { type: 'string', pattern: MAC_PATTERN },
    address: { type: 'string', pattern: HOST_PATTERN },
    port,
  },
  required: ['type', 'mac', 'address'],
  additionalProperties: false,
};

export const upsTargetSchema: JSONSchemaType<UpsTarget> = {
  type: 'object',
  properties: {
    ...common,
    type: { type: 'string', const: 'ups' },
    ups: { type: 'string', pattern: UPS_NAME_PATTERN },
    credentials: secretRefSchema,
    method: { type: 'string', nullable: true, enum: ['shutdown.return', 'fsd'] },
  },
  required: ['type', 'ups', 'credentials'],
  additionalProperties: false,
};

/** The `type` key picks the branch (ajv's discriminator), so errors speak of one target type only. */
export const targetSchema: JSONSchemaType<Target> = {
  type: 'object',
  discriminator: { propertyName: 'type' },
  properties: { type: { type: 'string' } },
  required: ['type'],
  oneOf: [
    sshTargetSchema, proxmoxTargetSchema, tapoTargetSchema, shellyTargetSchema, wolTargetSchema, upsTargetSchema,
  ],
} as unknown as JSONSchemaType<Target>;

export const targetsDocumentSchema: JSONSchemaType<TargetsDocument> = {
  $id: `${SCHEMA_ID_BASE}targets`,
  title: 'walNUT Targets',
  type: 'object',
  properties: {
    apiVersion: { type: 'string', const: 'walnut/v1' },
    kind: { type: 'string', const: 'Targets' },
    targets: {
      type: 'object',
      propertyNames: { pattern: NAME_PATTERN },
      required: [],
      additionalProperties: targetSchema,
    },
  },
  required: ['apiVersion', 'kind', 'targets'],
  additionalProperties: false,
};
