import type { JSONSchemaType } from 'ajv';
import type { Action, Group, PolicyDocument, Restore, Stage, Trigger, Triggers } from '../spec';
import { ON_TIMEOUT, OPS } from '../spec';
import { SCHEMA_ID_BASE, UPS_NAME_PATTERN, durationSchema, holdSchema, nameSchema, percentSchema } from './common';

const upsNameSchema: JSONSchemaType<string> = { type: 'string', pattern: UPS_NAME_PATTERN };

/** A trigger is a one-key object, so a list of them reads like a list of conditions. */
export const triggerSchema: JSONSchemaType<Trigger> = {
  type: 'object',
  properties: {
    on_battery: { ...holdSchema, nullable: true },
    battery_charge_below: { ...percentSchema, nullable: true },
    runtime_below: { ...durationSchema, nullable: true },
    low_battery: { type: 'boolean', nullable: true, enum: [true] },
    fsd: { type: 'boolean', nullable: true, enum: [true] },
    depletion_rate_above: { type: 'number', nullable: true, exclusiveMinimum: 0, maximum: 100 },
    time_on_battery_above: { ...durationSchema, nullable: true },
    comm_lost: { ...holdSchema, nullable: true },
  },
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
};

const triggerList: JSONSchemaType<Trigger[]> = { type: 'array', items: triggerSchema, minItems: 1 };

export const triggersSchema: JSONSchemaType<Triggers> = {
  type: 'object',
  properties: { any: { ...triggerList, nullable: true }, all: { ...triggerList, nullable: true } },
  minProperties: 1,
  additionalProperties: false,
};

export const actionSchema: JSONSchemaType<Action> = {
  type: 'object',
  properties: { target: nameSchema, op: { type: 'string', enum: [...OPS] } },
  required: ['target', 'op'],
  additionalProperties: false,
};

export const stageSchema: JSONSchemaType<Stage> = {
  type: 'object',
  properties: {
    name: nameSchema,
    after: { ...durationSchema, nullable: true },
    parallel: { type: 'boolean', nullable: true },
    actions: { type: 'array', items: actionSchema, minItems: 1 },
    timeout: { ...durationSchema, nullable: true },
    on_timeout: { type: 'string', nullable: true, enum: [...ON_TIMEOUT] },
  },
  required: ['name', 'actions'],
  additionalProperties: false,
};

const groupSchema: JSONSchemaType<Group> = {
  type: 'object',
  properties: {
    members: { type: 'array', items: upsNameSchema, minItems: 2, uniqueItems: true },
    min_healthy: { type: 'integer', minimum: 1 },
  },
  required: ['members', 'min_healthy'],
  additionalProperties: false,
};

const restoreSchema: JSONSchemaType<Restore> = {
  type: 'object',
  properties: {
    when: {
      type: 'object',
      nullable: true,
      properties: { online: { ...holdSchema, nullable: true }, charge_above: { ...percentSchema, nullable: true } },
      additionalProperties: false,
    },
    actions: { type: 'array', nullable: true, items: actionSchema, minItems: 1 },
    inverse: { type: 'boolean', nullable: true },
    timeout: { ...durationSchema, nullable: true },
  },
  // Either the actions are listed or they are derived, never both.
  not: { required: ['actions', 'inverse'] },
  additionalProperties: false,
} as JSONSchemaType<Restore>;

export const policyDocumentSchema: JSONSchemaType<PolicyDocument> = {
  $id: `${SCHEMA_ID_BASE}policy`,
  title: 'walNUT Policy',
  type: 'object',
  properties: {
    apiVersion: { type: 'string', const: 'walnut/v1' },
    kind: { type: 'string', const: 'Policy' },
    name: nameSchema,
    description: { type: 'string', nullable: true, maxLength: 1024 },
    ups: { type: 'array', nullable: true, items: upsNameSchema, minItems: 1, uniqueItems: true },
    group: { ...groupSchema, nullable: true },
    triggers: triggersSchema,
    cancel_when: {
      type: 'object',
      nullable: true,
      properties: { online: { ...holdSchema, nullable: true } },
      additionalProperties: false,
    },
    stages: { type: 'array', items: stageSchema, minItems: 1 },
    point_of_no_return: { ...nameSchema, nullable: true },
    reserve: { ...durationSchema, nullable: true },
    restore: { ...restoreSchema, nullable: true },
    armed: { type: 'boolean', nullable: true },
    dry_run: { type: 'boolean', nullable: true },
  },
  required: ['apiVersion', 'kind', 'name', 'triggers', 'stages'],
  // A policy watches either named UPSes or a redundancy group.
  oneOf: [{ required: ['ups'] }, { required: ['group'] }],
  additionalProperties: false,
} as JSONSchemaType<PolicyDocument>;
