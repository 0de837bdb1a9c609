import type { RangeLimit, UpsDefinition, UserDefinition, UserAction } from './state';

/**
 * Shape checks for UPS and user definitions, shared by the API (addUps, addUser)
 * and scenario files. Problems are collected as `<JSON path>: <message>` so one
 * run reports every mistake in a file.
 */

/** Names go unquoted on the wire, so they must be plain words. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:@+-]*$/;

export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkName(value: string, path: string, issues: string[], what: string): void {
  if (!NAME.test(value)) issues.push(`${path}: ${what} "${value}" must be a plain word (letters, digits, . _ : @ + -)`);
}

export function rejectUnknownKeys(value: Record<string, unknown>, allowed: readonly string[], path: string, issues: string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) issues.push(`${childPath(path, key)}: unknown key (expected one of ${allowed.join(', ')})`);
  }
}

/** A variable value: a string, or a finite number written as JSON would (100, 27.3). */
export function valueText(value: unknown, path: string, issues: string[]): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  issues.push(`${path}: must be a string or a number`);
  return undefined;
}

function stringMap(value: unknown, path: string, issues: string[], checkKeys: string | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (!isPlainObject(value)) {
    issues.push(`${path}: must be an object`);
    return result;
  }
  for (const [key, item] of Object.entries(value)) {
    const itemPath = childPath(path, key);
    if (checkKeys !== undefined) checkName(key, itemPath, issues, checkKeys);
    if (typeof item === 'string') result[key] = item;
    else issues.push(`${itemPath}: must be a string`);
  }
  return result;
}

export function varsMap(value: unknown, path: string, issues: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  if (!isPlainObject(value)) {
    issues.push(`${path}: must be an object of variable names to values`);
    return result;
  }
  for (const [key, item] of Object.entries(value)) {
    const itemPath = childPath(path, key);
    checkName(key, itemPath, issues, 'variable name');
    const text = valueText(item, itemPath, issues);
    if (text !== undefined) result[key] = text;
  }
  return result;
}

function stringArray(value: unknown, path: string, issues: string[]): string[] {
  if (!Array.isArray(value)) {
    issues.push(`${path}: must be an array of strings`);
    return [];
  }
  const result: string[] = [];
  value.forEach((item, index) => {
    if (typeof item === 'string') result.push(item);
    else issues.push(`${childPath(path, index)}: must be a string`);
  });
  return result;
}

function rangeList(value: unknown, path: string, issues: string[]): RangeLimit[] {
  if (!Array.isArray(value)) {
    issues.push(`${path}: must be an array of { "min": integer, "max": integer }`);
    return [];
  }
  const result: RangeLimit[] = [];
  value.forEach((item, index) => {
    const itemPath = childPath(path, index);
    if (!isPlainObject(item) || !Number.isInteger(item.min) || !Number.isInteger(item.max)) {
      issues.push(`${itemPath}: must be { "min": integer, "max": integer }`);
      return;
    }
    const range = { min: item.min as number, max: item.max as number };
    if (range.min > range.max) issues.push(`${itemPath}: min ${range.min} is above max ${range.max}`);
    else result.push(range);
  });
  return result;
}

function mapOf<T>(value: unknown, path: string, issues: string[], item: (value: unknown, path: string) => T): Record<string, T> {
  const result: Record<string, T> = {};
  if (!isPlainObject(value)) {
    issues.push(`${path}: must be an object keyed by variable name`);
    return result;
  }
  for (const [key, entry] of Object.entries(value)) result[key] = item(entry, childPath(path, key));
  return result;
}

const UPS_KEYS = ['description', 'vars', 'rw', 'enums', 'ranges', 'strings', 'commands', 'varDescriptions'] as const;

export function validateUpsDefinition(value: unknown, path: string, issues: string[]): UpsDefinition {
  const definition: UpsDefinition = { vars: {} };
  if (!isPlainObject(value)) {
    issues.push(`${path}: must be an object with at least "vars"`);
    return definition;
  }
  rejectUnknownKeys(value, UPS_KEYS, path, issues);
  if (value.description !== undefined) {
    if (typeof value.description === 'string') definition.description = value.description;
    else issues.push(`${childPath(path, 'description')}: must be a string`);
  }
  if (value.vars === undefined) issues.push(`${childPath(path, 'vars')}: is required`);
  else definition.vars = varsMap(value.vars, childPath(path, 'vars'), issues);
  if (value.rw !== undefined) definition.rw = stringArray(value.rw, childPath(path, 'rw'), issues);
  if (value.enums !== undefined) {
    definition.enums = mapOf(value.enums, childPath(path, 'enums'), issues, (v, p) => stringArray(v, p, issues));
  }
  if (value.ranges !== undefined) {
    definition.ranges = mapOf(value.ranges, childPath(path, 'ranges'), issues, (v, p) => rangeList(v, p, issues));
  }
  if (value.strings !== undefined) {
    definition.strings = mapOf(value.strings, childPath(path, 'strings'), issues, (v, p) => {
      if (Number.isInteger(v) && (v as number) >= 0) return v as number;
      issues.push(`${p}: must be the maximum length, an integer >= 0`);
      return 0;
    });
  }
  if (value.commands !== undefined) definition.commands = stringMap(value.commands, childPath(path, 'commands'), issues, 'command name');
  if (value.varDescriptions !== undefined) {
    definition.varDescriptions = stringMap(value.varDescriptions, childPath(path, 'varDescriptions'), issues, undefined);
  }
  return definition;
}

const USER_KEYS = ['password', 'upsmon', 'actions', 'instcmds'] as const;
const ACTIONS: readonly UserAction[] = ['SET', 'FSD'];

export function validateUserDefinition(value: unknown, path: string, issues: string[]): UserDefinition {
  const definition: UserDefinition = { password: '' };
  if (!isPlainObject(value)) {
    issues.push(`${path}: must be an object with at least "password"`);
    return definition;
  }
  rejectUnknownKeys(value, USER_KEYS, path, issues);
  if (typeof value.password === 'string') definition.password = value.password;
  else issues.push(`${childPath(path, 'password')}: is required and must be a string`);
  if (value.upsmon !== undefined) {
    if (value.upsmon === 'primary' || value.upsmon === 'secondary') definition.upsmon = value.upsmon;
    else issues.push(`${childPath(path, 'upsmon')}: must be "primary" or "secondary"`);
  }
  if (value.actions !== undefined) {
    const actions = stringArray(value.actions, childPath(path, 'actions'), issues);
    definition.actions = [];
    actions.forEach((action, index) => {
      if ((ACTIONS as readonly string[]).includes(action)) definition.actions?.push(action as UserAction);
      else issues.push(`${childPath(childPath(path, 'actions'), index)}: must be "SET" or "FSD"`);
    });
  }
  if (value.instcmds !== undefined) {
    if (value.instcmds === 'ALL') definition.instcmds = 'ALL';
    else if (Array.isArray(value.instcmds)) definition.instcmds = stringArray(value.instcmds, childPath(path, 'instcmds'), issues);
    else issues.push(`${childPath(path, 'instcmds')}: must be "ALL" or an array of command names`);
  }
  return definition;
}
