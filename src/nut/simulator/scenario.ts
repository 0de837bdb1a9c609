import { readFile } from 'node:fs/promises';
import { NutConfigError } from '../../errors';
import {
  childPath,
  isPlainObject,
  rejectUnknownKeys,
  validateUpsDefinition,
  validateUserDefinition,
  varsMap,
} from './definitions';
import type { GarbageMode } from './faults';
import type { UpsDefinition, UserDefinition } from './state';

/**
 * A scenario file: the UPSes and users to create, then timed steps that change
 * variables or switch faults, `at` seconds after the run starts.
 */
export interface Scenario {
  ups: Record<string, UpsDefinition>;
  users: Record<string, UserDefinition>;
  steps: ScenarioStep[];
}

export interface VarsStep {
  at: number;
  ups: string;
  vars: Record<string, string>;
}

export const FAULTS = ['drop', 'stall', 'garbage', 'stale', 'driver-disconnected', 'command-failure'] as const;
export type FaultName = (typeof FAULTS)[number];

export interface FaultStep {
  at: number;
  fault: FaultName;
  /** For stale, driver-disconnected and command-failure. */
  ups?: string;
  /** Switch on (default) or back off; for stall, stale, driver-disconnected, command-failure. */
  on?: boolean;
  /** For garbage. */
  line?: string;
  mode?: GarbageMode;
}

export type ScenarioStep = VarsStep | FaultStep;

export function isFaultStep(step: ScenarioStep): step is FaultStep {
  return 'fault' in step;
}

/** Every problem in a scenario, each as `<JSON path>: <message>`. */
export class ScenarioError extends NutConfigError {
  constructor(
    readonly issues: string[],
    file?: string,
  ) {
    super(`invalid scenario:\n  ${issues.join('\n  ')}`, file);
  }
}

const FAULTS_WITH_UPS: readonly FaultName[] = ['stale', 'driver-disconnected', 'command-failure'];
const FAULTS_WITH_SWITCH: readonly FaultName[] = ['stall', 'stale', 'driver-disconnected', 'command-failure'];

/** Checks parsed JSON and returns it typed; throws ScenarioError listing every problem. */
export function parseScenario(json: unknown, file?: string): Scenario {
  const issues: string[] = [];
  const scenario: Scenario = { ups: {}, users: {}, steps: [] };
  if (!isPlainObject(json)) throw new ScenarioError(['$: must be an object with "ups", "users" and "steps"'], file);
  rejectUnknownKeys(json, ['description', 'ups', 'users', 'steps'], '$', issues);
  if (json.description !== undefined && typeof json.description !== 'string') issues.push('$.description: must be a string');

  if (json.ups !== undefined) {
    if (!isPlainObject(json.ups)) issues.push('$.ups: must be an object of UPS name to definition');
    else {
      for (const [name, definition] of Object.entries(json.ups)) {
        const path = childPath('$.ups', name);
        if (!/^[A-Za-z0-9][A-Za-z0-9._:@+-]*$/.test(name)) issues.push(`${path}: UPS name must be a plain word`);
        scenario.ups[name] = validateUpsDefinition(definition, path, issues);
      }
    }
  }
  if (json.users !== undefined) {
    if (!isPlainObject(json.users)) issues.push('$.users: must be an object of user name to definition');
    else {
      for (const [name, definition] of Object.entries(json.users)) {
        scenario.users[name] = validateUserDefinition(definition, childPath('$.users', name), issues);
      }
    }
  }
  if (json.steps !== undefined) {
    if (!Array.isArray(json.steps)) issues.push('$.steps: must be an array');
    else {
      const knownUps = json.ups === undefined ? undefined : Object.keys(scenario.ups);
      json.steps.forEach((step, index) => {
        const parsed = parseStep(step, childPath('$.steps', index), knownUps, issues);
        if (parsed) scenario.steps.push(parsed);
      });
    }
  }
  if (issues.length > 0) throw new ScenarioError(issues, file);
  return scenario;
}

function parseStep(step: unknown, path: string, knownUps: string[] | undefined, issues: string[]): ScenarioStep | undefined {
  if (!isPlainObject(step)) {
    issues.push(`${path}: must be an object with "at" and either "ups" + "vars" or "fault"`);
    return undefined;
  }
  const before = issues.length;
  const at = step.at;
  if (typeof at !== 'number' || !Number.isFinite(at) || at < 0) issues.push(`${childPath(path, 'at')}: must be a number of seconds >= 0`);
  const ups = step.ups;
  if (ups !== undefined && typeof ups !== 'string') issues.push(`${childPath(path, 'ups')}: must be a UPS name`);
  if (typeof ups === 'string' && knownUps && !knownUps.some((n) => n.toLowerCase() === ups.toLowerCase())) {
    issues.push(`${childPath(path, 'ups')}: "${ups}" is not defined in $.ups`);
  }

  if (step.fault === undefined) {
    rejectUnknownKeys(step, ['at', 'ups', 'vars', 'status'], path, issues);
    if (ups === undefined) issues.push(`${childPath(path, 'ups')}: is required for a vars step`);
    if (step.vars === undefined && step.status === undefined) issues.push(`${path}: needs "vars" or "status" (or a "fault")`);
    const vars = step.vars === undefined ? {} : varsMap(step.vars, childPath(path, 'vars'), issues);
    if (step.status !== undefined) {
      if (typeof step.status === 'string') vars['ups.status'] = step.status;
      else issues.push(`${childPath(path, 'status')}: must be a string such as "OB DISCHRG"`);
    }
    return issues.length === before ? { at: at as number, ups: ups as string, vars } : undefined;
  }

  rejectUnknownKeys(step, ['at', 'fault', 'ups', 'on', 'line', 'mode'], path, issues);
  const fault = step.fault;
  if (typeof fault !== 'string' || !(FAULTS as readonly string[]).includes(fault)) {
    issues.push(`${childPath(path, 'fault')}: must be one of ${FAULTS.join(', ')}`);
    return undefined;
  }
  const name = fault as FaultName;
  if (FAULTS_WITH_UPS.includes(name) && ups === undefined) issues.push(`${childPath(path, 'ups')}: is required for fault "${name}"`);
  if (!FAULTS_WITH_UPS.includes(name) && ups !== undefined) issues.push(`${childPath(path, 'ups')}: fault "${name}" applies to every client, not to one UPS`);
  if (step.on !== undefined && (typeof step.on !== 'boolean' || !FAULTS_WITH_SWITCH.includes(name))) {
    issues.push(`${childPath(path, 'on')}: must be true or false, and only for ${FAULTS_WITH_SWITCH.join(', ')}`);
  }
  if (name === 'garbage' && typeof step.line !== 'string') issues.push(`${childPath(path, 'line')}: is required for fault "garbage" and must be a string`);
  if (name !== 'garbage' && step.line !== undefined) issues.push(`${childPath(path, 'line')}: only for fault "garbage"`);
  if (step.mode !== undefined && (name !== 'garbage' || (step.mode !== 'replace-next' && step.mode !== 'unsolicited'))) {
    issues.push(`${childPath(path, 'mode')}: must be "replace-next" or "unsolicited", and only for fault "garbage"`);
  }
  if (issues.length > before) return undefined;
  const parsed: FaultStep = { at: at as number, fault: name };
  if (typeof ups === 'string') parsed.ups = ups;
  if (typeof step.on === 'boolean') parsed.on = step.on;
  if (typeof step.line === 'string') parsed.line = step.line;
  if (step.mode === 'replace-next' || step.mode === 'unsolicited') parsed.mode = step.mode;
  return parsed;
}

/** Reads and checks a scenario file; errors name the file and the JSON path. */
export async function loadScenario(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new NutConfigError(`cannot read scenario: ${(error as Error).message}`, file);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new NutConfigError(`not valid JSON: ${(error as Error).message}`, file);
  }
  return parseScenario(json, file);
}
