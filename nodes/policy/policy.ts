import type { Node, NodeAPI, NodeDef } from 'node-red';
import { formatProblem } from '../../src/policy/problems';
import { hubServices } from '../shared/services';
import { policyStatus } from '../shared/status';

interface PolicyDef extends NodeDef {
  policy: string;
}

/**
 * A policy of the rules folder, by name. This build shows whether its rules
 * run (and whether a newer, refused text of its file keeps the last good
 * version running); the engine's input and outputs come with the policy engine.
 */
export = function register(RED: NodeAPI): void {
  function PolicyNode(this: Node, def: PolicyDef): void {
    RED.nodes.createNode(this, def);
    const name = def.policy.trim();
    if (name === '') {
      this.status({ fill: 'red', shape: 'ring', text: 'no policy chosen' });
      this.error('name the policy this node runs (its `name:` in the rules folder)');
      return;
    }
    const { bus, rules } = hubServices(RED);
    const show = (): void => this.status(policyStatus(name, rules.policyState(name)));
    show();
    const offLoaded = bus.onRulesLoaded(show);
    const offRejected = bus.onRulesRejected((rejected) => {
      show();
      const state = rules.policyState(name);
      if (state.problem && rejected.problems.includes(state.problem)) {
        this.warn(`rules refused, ${state.running ? 'the last good version keeps running' : 'the policy is not loaded'}: ${formatProblem(state.problem)}`);
      }
    });
    this.on('close', () => {
      offLoaded();
      offRejected();
    });
  }

  RED.nodes.registerType('policy', PolicyNode);
};
