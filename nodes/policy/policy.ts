import type { Node, NodeAPI, NodeDef } from 'node-red';
import type { ActionResult } from '../../src/policy/engine/types';
import { formatProblem } from '../../src/policy/problems';
import type { UpsSnapshot } from '../../src/nut/snapshot';
import { onInput } from '../shared/input';
import { hubServices } from '../shared/services';
import { policyStatus } from '../shared/status';
import { nodeConfig } from '../shared/config';

interface PolicyDef extends NodeDef {
  policy: string;
}

const isSnapshot = (value: unknown): value is UpsSnapshot =>
  typeof value === 'object' && value !== null && 'server' in value && 'ups' in value && 'ts' in value && 'flags' in value;

const isResult = (value: unknown): value is Omit<ActionResult, 'kind'> =>
  typeof value === 'object' && value !== null && 'runId' in value && 'target' in value && 'op' in value &&
  'outcome' in value && (value.outcome === 'done' || value.outcome === 'failed');

/**
 * Runs one policy of the rules folder. Input: UPS readings (from nut-ups) and
 * action results; output 1: action requests; output 2: every decision (state changes).
 * The hub also feeds it every reading on its bus, so a reading wired in counts once.
 */
export = function register(RED: NodeAPI): void {
  function PolicyNode(this: Node, def: PolicyDef): void {
    def = nodeConfig(def);
    RED.nodes.createNode(this, def);
    const name = def.policy.trim();
    if (name === '') {
      this.status({ fill: 'red', shape: 'ring', text: 'no policy chosen' });
      this.error('name the policy this node runs (its `name:` in the rules folder)');
      return;
    }
    const { bus, rules, policies } = hubServices(RED);
    const show = (): void => this.status(policyStatus(name, rules.policyState(name), policies.status(name)));
    let release: (() => void) | undefined;
    let closed = false;
    void policies.claim(name).then((releaseClaim) => {
      if (closed) releaseClaim();
      else release = releaseClaim;
      show();
    }, (error: unknown) => this.error(`could not start policy ${name}: ${String(error)}`));

    const offs = [
      bus.onRulesLoaded(show),
      bus.onRulesRejected((rejected) => {
        show();
        const state = rules.policyState(name);
        if (state.problem && rejected.problems.includes(state.problem)) {
          this.warn(`rules refused, ${state.running ? 'the last good version keeps running' : 'the policy is not loaded'}: ${formatProblem(state.problem)}`);
        }
      }),
      bus.onActionRequest((request) => {
        if (request.policy === name) this.send([{ topic: `${request.target}/${request.op}`, payload: request }, null]);
      }),
      bus.onPolicyDecision((decision) => {
        if (decision.policy !== name) return;
        this.send([null, { topic: decision.decision.kind, payload: decision }]);
        show();
      }),
    ];

    onInput(this, (msg) => {
      const payload = (msg as { payload?: unknown }).payload;
      // An event from nut-ups before any reading of its UPS carries no reading: nothing to feed.
      if (payload === null && 'event' in msg) return undefined;
      if (isResult(payload)) return policies.reportResult(name, payload);
      if (isSnapshot(payload)) return policies.feedSnapshot(payload);
      throw new Error('expected a UPS reading (from a nut-ups node) or an action result { runId, stage, target, op, outcome: done | failed }');
    });
    this.on('close', () => {
      closed = true;
      for (const off of offs) off();
      release?.();
    });
  }

  RED.nodes.registerType('policy', PolicyNode);
};
