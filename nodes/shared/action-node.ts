import type { Node, NodeAPI, NodeDef, NodeStatus } from 'node-red';
import type { JobRequest, JobResult, JobUpdate } from '../../src/actions/runner';
import type { ActionRequest } from '../../src/policy/requests';
import { OPS, SUPPORTED_OPS, type Op, type TargetType } from '../../src/policy/spec';
import { onInput } from './input';
import { hubServices } from './services';

interface ActionNodeDef extends NodeDef {
  target: string;
}

const isActionRequest = (value: unknown): value is ActionRequest =>
  typeof value === 'object' && value !== null && 'runId' in value && 'targetType' in value && 'op' in value;

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
    RED.nodes.createNode(this, def);
    const { rules, runner } = hubServices(RED);
    let closed = false;
    const show = (update: JobUpdate): void => {
      if (!closed) this.status(jobStatus(update));
    };

    onInput(this, async (msg, send) => {
      const payload = (msg as { payload?: unknown }).payload;
      let request: JobRequest;
      if (isActionRequest(payload)) {
        if (payload.targetType !== targetType) return; // for another driver node on the same wire
        request = {
          target: payload.target, op: payload.op, runId: payload.runId, policy: payload.policy, stage: payload.stage,
          timeout: payload.timeout, dryRun: payload.dryRun, force: payload.force, verify: payload.verify,
        };
      } else {
        const manual = (typeof payload === 'object' && payload !== null ? payload : {}) as { target?: unknown; op?: unknown; dryRun?: unknown };
        const target = typeof manual.target === 'string' ? manual.target : def.target;
        if (!target) throw new Error('no target: set one on the node or send { target, op }');
        if (typeof manual.op !== 'string' || !(OPS as readonly string[]).includes(manual.op)) {
          throw new Error(`msg.payload.op must be one of: ${SUPPORTED_OPS[targetType].join(', ')}`);
        }
        request = { target, op: manual.op as Op, dryRun: manual.dryRun === true };
      }
      const spec = rules.current().targets.get(request.target)?.target;
      if (!spec) throw new Error(`no target named "${request.target}" in the rules folder`);
      if (spec.type !== targetType) throw new Error(`"${request.target}" is a ${spec.type} target: this ${nodeType} node handles ${targetType} targets`);
      if (!SUPPORTED_OPS[targetType].includes(request.op)) throw new Error(`a ${targetType} target cannot ${request.op}; it can: ${SUPPORTED_OPS[targetType].join(', ')}`);
      const result: JobResult = await runner.submit(request, show);
      send({ ...msg, topic: `${result.target}/${result.op}`, payload: result });
    });
    this.on('close', () => {
      closed = true;
    });
  }

  RED.nodes.registerType(nodeType, ActionNode);
}
