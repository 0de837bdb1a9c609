import type { Node, NodeAPI, NodeDef, NodeStatus } from 'node-red';
import { jobRequestFrom } from '../../src/actions/job-request';
import type { JobResult, JobUpdate } from '../../src/actions/runner';
import type { TargetType } from '../../src/policy/spec';
import { onInput } from './input';
import { hubServices } from './services';
import { nodeConfig } from './config';

interface ActionNodeDef extends NodeDef {
  target: string;
}

function jobStatus(update: JobUpdate): NodeStatus {
  const what = `${update.target}: ${update.op}${update.dryRun ? ' (dry run)' : ''}`;
  switch (update.state) {
    case 'completed': return { fill: 'green', shape: 'dot', text: `${what} done` };
    case 'failed': return { fill: 'red', shape: 'dot', text: `${what} failed` };
    case 'cancelled': return { fill: 'grey', shape: 'ring', text: `${what} cancelled` };
    default: return { fill: 'blue', shape: 'ring', text: `${what} ${update.state}` };
  }
}

/**
 * One action node type per target type, all alike: input a policy's action
 * request (requests for other target types pass by untouched) or a manual
 * `{ target, op }`; the job runs through the hub's runner; output the result,
 * which a policy node takes back on its input. Messages never carry secrets.
 */
export function registerActionNode(RED: NodeAPI, nodeType: string, targetType: TargetType): void {
  function ActionNode(this: Node, def: ActionNodeDef): void {
    def = nodeConfig(def);
    RED.nodes.createNode(this, def);
    const { rules, runner } = hubServices(RED);
    let closed = false;
    const show = (update: JobUpdate): void => {
      if (!closed) this.status(jobStatus(update));
    };

    onInput(this, async (msg, send) => {
      const payload = (msg as { payload?: unknown }).payload;
      const request = jobRequestFrom(payload, { targetType, nodeType, defaultTarget: def.target }, rules.current().targets);
      if (!request) return; // for another driver node on the same wire
      const result: JobResult = await runner.submit(request, show);
      send({ ...msg, topic: `${result.target}/${result.op}`, payload: result });
    });
    this.on('close', () => {
      closed = true;
    });
  }

  RED.nodes.registerType(nodeType, ActionNode);
}
