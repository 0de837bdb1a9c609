/**
 * Outage traces for the simulator (rules/traces/*.yaml): timed UPS samples
 * (keyframes, held or interpolated between), and how each target's action
 * behaves (how long it takes, or that it hangs or fails).
 *
 *   apiVersion: walnut/v1
 *   kind: Trace
 *   ups: ups@localhost          # the UPS the samples are of (default: the policy's first)
 *   resolution: 1s              # one sample per this (the poll interval)
 *   end: 30m
 *   samples:
 *     - { at: 0s, status: OL, charge: 100, runtime: 1800 }
 *     - { at: 1m, status: OB DISCHRG, charge: 100, runtime: 1500 }
 *     - { at: 21m, status: OB DISCHRG LB, charge: 10, runtime: 150 }   # charge and runtime fall linearly from 1m to 21m
 *     - { at: 2m, status: OB, repeat: { every: 2s, status: OL, until: 12m } }   # flapping
 *     - { at: 5m, comm: lost }
 *   targets:
 *     default: { takes: 5s }
 *     pve: { takes: 90s }
 *     nas: { fails: true }
 *     hub: { hangs: true }
 */
import { promises as fs } from 'node:fs';
import type { RulesProblem } from '../errors';
import { RulesError } from '../errors';
import { parseDuration } from './duration';
import { problemAt } from './problems';
import type { Op } from './spec';
import { parseRulesYaml } from './yaml-source';

export interface TraceKeyframe {
  atMs: number;
  flags?: string[];
  charge?: number;
  runtime?: number;
  load?: number;
  comm?: 'ok' | 'stale' | 'lost';
}

export interface TargetBehaviour {
  takesMs: number;
  hangs: boolean;
  fails: boolean;
}

export interface Trace {
  file: string;
  description?: string;
  ups?: string;
  resolutionMs: number;
  endMs: number;
  keyframes: TraceKeyframe[];
  behaviour(target: string, op: Op): TargetBehaviour;
}

type Json = Record<string, unknown>;

export async function loadTrace(file: string): Promise<Trace> {
  return parseTrace(file, await fs.readFile(file, 'utf8'));
}

export function parseTrace(file: string, text: string): Trace {
  const [source] = parseRulesYaml(text, file);
  const problems: RulesProblem[] = [];
  const fail = (pointer: string, message: string): never => {
    problems.push(problemAt(source!.valueAt(pointer), 'trace', message));
    throw new RulesError(problems);
  };
  const root = source?.value;
  if (!isObject(root) || root.kind !== 'Trace') return fail('', 'a trace is a mapping with `kind: Trace`');
  const duration = (value: unknown, pointer: string): number => {
    const ms = typeof value === 'string' ? parseDuration(value) : undefined;
    return ms ?? fail(pointer, 'must be a duration such as 90s, 5m or 1h30m');
  };
  const keyframes: TraceKeyframe[] = [];
  const samples = Array.isArray(root.samples) ? root.samples : fail('/samples', '`samples` must be a list');
  samples.forEach((sample, index) => {
    const at = `/samples/${index}`;
    if (!isObject(sample)) fail(at, 'a sample is a mapping with `at`');
    const frame = keyframe(sample as Json, at, duration, fail);
    keyframes.push(frame);
    const repeat = (sample as Json).repeat;
    if (repeat !== undefined) {
      if (!isObject(repeat)) fail(`${at}/repeat`, '`repeat` is { every, status, until }');
      const every = duration((repeat as Json).every, `${at}/repeat/every`);
      const until = duration((repeat as Json).until, `${at}/repeat/until`);
      const other = keyframe({ ...(repeat as Json), at: '0s' }, `${at}/repeat`, duration, fail);
      if (every <= 0) fail(`${at}/repeat/every`, '`every` must be longer than 0s');
      for (let t = frame.atMs + every, flip = true; t < until; t += every, flip = !flip) {
        keyframes.push({ ...(flip ? { ...frame, ...other } : frame), atMs: t });
      }
    }
  });
  keyframes.sort((a, b) => a.atMs - b.atMs);
  const targets = isObject(root.targets) ? root.targets : {};
  const behaviourOf = (value: unknown, pointer: string): Partial<TargetBehaviour> => {
    if (!isObject(value)) return fail(pointer, 'a target behaviour is { takes, hangs, fails }');
    return {
      ...(value.takes === undefined ? {} : { takesMs: duration(value.takes, `${pointer}/takes`) }),
      ...(value.hangs === undefined ? {} : { hangs: value.hangs === true }),
      ...(value.fails === undefined ? {} : { fails: value.fails === true }),
    };
  };
  const defaults: TargetBehaviour = { takesMs: 5_000, hangs: false, fails: false, ...(targets.default === undefined ? {} : behaviourOf(targets.default, '/targets/default')) };
  const perTarget = new Map<string, Partial<TargetBehaviour>>();
  const perOp = new Map<string, Partial<TargetBehaviour>>();
  for (const [name, value] of Object.entries(targets)) {
    if (name === 'default') continue;
    perTarget.set(name, behaviourOf(value, `/targets/${name}`));
    const ops = isObject(value) && isObject(value.ops) ? value.ops : {};
    for (const [op, opValue] of Object.entries(ops)) perOp.set(`${name}/${op}`, behaviourOf(opValue, `/targets/${name}/ops/${op}`));
  }
  return {
    file,
    ...(typeof root.description === 'string' ? { description: root.description } : {}),
    ...(typeof root.ups === 'string' ? { ups: root.ups } : {}),
    resolutionMs: root.resolution === undefined ? 1_000 : duration(root.resolution, '/resolution'),
    endMs: root.end === undefined ? (keyframes[keyframes.length - 1]?.atMs ?? 0) + 600_000 : duration(root.end, '/end'),
    keyframes,
    behaviour: (target, op) => ({ ...defaults, ...perTarget.get(target), ...perOp.get(`${target}/${op}`) }),
  };
}

function keyframe(sample: Json, at: string, duration: (value: unknown, pointer: string) => number, fail: (pointer: string, message: string) => never): TraceKeyframe {
  const frame: TraceKeyframe = { atMs: duration(sample.at, `${at}/at`) };
  if (sample.status !== undefined) {
    if (typeof sample.status !== 'string') fail(`${at}/status`, '`status` is NUT status text such as "OB DISCHRG"');
    frame.flags = (sample.status as string).split(/\s+/).filter(Boolean);
  }
  for (const key of ['charge', 'runtime', 'load'] as const) {
    if (sample[key] === undefined) continue;
    if (typeof sample[key] !== 'number') fail(`${at}/${key}`, `\`${key}\` must be a number`);
    frame[key] = sample[key] as number;
  }
  if (sample.comm !== undefined) {
    if (sample.comm !== 'ok' && sample.comm !== 'stale' && sample.comm !== 'lost') fail(`${at}/comm`, '`comm` is ok, stale or lost');
    frame.comm = sample.comm as TraceKeyframe['comm'];
  }
  return frame;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
