import { parameterError } from './api-error';

/** One parameter of a method's schema, in the spirit of PVE::JSONSchema. */
export type ParamSpec = { optional?: boolean } & (
  | { type: 'integer'; minimum?: number; maximum?: number }
  | { type: 'boolean' }
  | { type: 'enum'; values: readonly string[] }
  /** `check` returns an error message, or undefined when the value is fine. */
  | { type: 'string'; check?: (value: string) => string | undefined }
);

export type Schema = Record<string, ParamSpec>;

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);

const NODE_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;

export const VMID_RANGE = { minimum: 100, maximum: 999_999_999 } as const;

export function checkNodeName(value: string): string | undefined {
  return NODE_NAME.test(value) ? undefined : 'invalid format - value does not look like a valid node name';
}

export function checkVmidList(value: string): string | undefined {
  const ok = value.split(/[,;\s]+/).filter((part) => part !== '').every((part) => /^\d+$/.test(part) && Number(part) >= 100);
  return ok ? undefined : 'invalid format - value does not look like a valid VM ID list';
}

export function parseVmidList(value: string | undefined): Set<number> | undefined {
  if (value === undefined) return undefined;
  return new Set(value.split(/[,;\s]+/).filter((part) => part !== '').map(Number));
}

function problem(spec: ParamSpec, value: string): string | undefined {
  switch (spec.type) {
    case 'integer': {
      if (!/^[+-]?\d+$/.test(value)) return `type check ('integer') failed - got '${value}'`;
      const number = Number(value);
      if (spec.minimum !== undefined && number < spec.minimum) return `value must have a minimum value of ${spec.minimum}`;
      if (spec.maximum !== undefined && number > spec.maximum) return `value must have a maximum value of ${spec.maximum}`;
      return undefined;
    }
    case 'boolean':
      return TRUE_WORDS.has(value.toLowerCase()) || FALSE_WORDS.has(value.toLowerCase())
        ? undefined
        : `type check ('boolean') failed - got '${value}'`;
    case 'enum':
      return spec.values.includes(value) ? undefined : `value '${value}' does not have a value in the enumeration '${spec.values.join(', ')}'`;
    case 'string':
      return spec.check?.(value);
  }
}

/** Parameters that passed their schema, read with the types it promised. */
export class Params {
  constructor(private readonly values: Readonly<Record<string, string>>) {}

  str(name: string): string | undefined {
    return this.values[name];
  }

  /** A path parameter or a required one: the schema made sure it is there. */
  required(name: string): string {
    const value = this.values[name];
    if (value === undefined) throw new Error(`parameter ${name} missing after validation`);
    return value;
  }

  int(name: string, fallback: number): number {
    const value = this.values[name];
    return value === undefined ? fallback : Number(value);
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.values[name];
    return value === undefined ? fallback : TRUE_WORDS.has(value.toLowerCase());
  }
}

/** Checks every parameter against the schema; all problems come back in one 400. */
export function validateParams(values: Record<string, string>, schema: Schema): Params {
  const errors: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    const spec = schema[name];
    if (spec === undefined) {
      errors[name] = 'property is not defined in schema and the schema does not allow additional properties';
      continue;
    }
    const message = problem(spec, value);
    if (message !== undefined) errors[name] = message;
  }
  for (const [name, spec] of Object.entries(schema)) {
    if (!spec.optional && values[name] === undefined) errors[name] = 'property is missing and it is not optional';
  }
  if (Object.keys(errors).length > 0) throw parameterError(errors);
  return new Params(values);
}
