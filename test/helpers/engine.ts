import { readRulesFile } from '../../src/policy/rules-file';
import { compilePolicy, type CompiledPolicy } from '../../src/policy/engine/compile';
import { initialState, step, type EngineOptions } from '../../src/policy/engine/step';
import type { Decision, EngineInput, EngineState, UpsSample } from '../../src/policy/engine/types';
import type { Target } from '../../src/policy/spec';

/** Target types of test/fixtures/rules/base/targets.yaml, for inverse restores. */
export const BASE_TYPES = new Map<string, Target['type']>([
  ['nas', 'ssh'], ['pve', 'proxmox'], ['switch', 'shelly'], ['lamp', 'tapo'], ['wake', 'wol'], ['rack', 'ups'], ['hub', 'ssh'],
]);

/** A policy from YAML text (header added), compiled. */
export function policyFrom(body: string): CompiledPolicy {
  const text = `apiVersion: walnut/v1\nkind: Policy\nname: p\n${body}`;
  const file = readRulesFile('test.yaml', text);
  const errors = file.problems.filter((problem) => problem.severity === 'error');
  if (errors.length > 0 || !file.policies[0]) throw new Error(`bad test policy: ${JSON.stringify(errors)}`);
  return compilePolicy(file.policies[0].document);
}

const SECOND = 1000;

/** Drives the engine on a virtual clock in seconds; keeps every decision. */
export class EngineDriver {
  state: EngineState = initialState();
  readonly decisions: Decision[] = [];
  readonly options: EngineOptions;

  constructor(readonly policy: CompiledPolicy, options: Partial<EngineOptions> = {}) {
    this.options = { armed: true, targetTypes: BASE_TYPES, ...options };
  }

  input(input: EngineInput, seconds: number): Decision[] {
    const result = step(this.policy, this.options, this.state, input, seconds * SECOND);
    this.state = result.state;
    this.decisions.push(...result.decisions);
    return result.decisions;
  }

  sample(seconds: number, status: string, extra: Partial<Omit<UpsSample, 'kind' | 'ups' | 'flags'>> & { ups?: string } = {}): Decision[] {
    const { ups = this.policy.ups[0]!, ...rest } = extra;
    return this.input({ kind: 'sample', ups, flags: status.split(' ').filter(Boolean), comm: 'ok', ...rest }, seconds);
  }

  /** The same reading once a second from `from` to `to` (inclusive). */
  hold(from: number, to: number, status: string, extra: Parameters<EngineDriver['sample']>[2] = {}): Decision[] {
    const decisions: Decision[] = [];
    for (let t = from; t <= to; t += 1) decisions.push(...this.sample(t, status, extra));
    return decisions;
  }

  lost(seconds: number, comm: 'stale' | 'lost' = 'lost', ups = this.policy.ups[0]!): Decision[] {
    return this.input({ kind: 'sample', ups, flags: [], comm }, seconds);
  }

  /** Reports every action in flight as finished. */
  finishAll(seconds: number, outcome: 'done' | 'failed' = 'done'): Decision[] {
    const run = this.state.run;
    if (!run) return [];
    const decisions: Decision[] = [];
    for (const stage of [...run.stages, ...(run.restore ? [run.restore] : [])]) {
      for (const action of stage.actions) {
        if (action.state !== 'sent') continue;
        decisions.push(...this.input({ kind: 'result', runId: run.id, stage: stage.name, target: action.target, op: action.op, outcome }, seconds));
      }
    }
    return decisions;
  }

  kinds(decisions: readonly Decision[] = this.decisions): string[] {
    return decisions.map((decision) => [decision.kind, decision.stage, decision.target, decision.op].filter(Boolean).join(' '));
  }

  first(kind: Decision['kind']): Decision | undefined {
    return this.decisions.find((decision) => decision.kind === kind);
  }
}
