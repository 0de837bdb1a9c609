/**
 * What a driver node's message asks for, as a JobRequest: a policy's action
 * request (undefined when it is for another target type, so several driver
 * nodes can share one wire) or a manual `{ target?, op, dryRun? }`; checked
 * against the target the rules define.
 */
import { TargetConfigError } from '../errors';
import type { ActionRequest } from '../policy/requests';
import { OPS, SUPPORTED_OPS, type Op, type Target, type TargetType } from '../policy/spec';
import type { JobRequest } from './runner';

const isActionRequest = (value: unknown): value is ActionRequest =>
  typeof value === 'object' && value !== null && 'runId' in value && 'targetType' in value && 'op' in value;

export function jobRequestFrom(
  payload: unknown,
  handles: { targetType: TargetType; nodeType: string; defaultTarget?: string },
  targets: ReadonlyMap<string, { target: Target }>,
): JobRequest | undefined {
  const { targetType, nodeType, defaultTarget } = handles;
  let request: JobRequest;
  if (isActionRequest(payload)) {
    if (payload.targetType !== targetType) return undefined;
    request = {
      target: payload.target, op: payload.op, runId: payload.runId, policy: payload.policy, stage: payload.stage,
      timeout: payload.timeout, dryRun: payload.dryRun, force: payload.force, verify: payload.verify,
    };
  } else {
    const manual = (typeof payload === 'object' && payload !== null ? payload : {}) as { target?: unknown; op?: unknown; dryRun?: unknown };
    const target = typeof manual.target === 'string' ? manual.target : defaultTarget;
    if (!target) throw new TargetConfigError('no target: set one on the node or send { target, op }');
    if (typeof manual.op !== 'string' || !(OPS as readonly string[]).includes(manual.op)) {
      throw new TargetConfigError(`msg.payload.op must be one of: ${SUPPORTED_OPS[targetType].join(', ')}`);
    }
    request = { target, op: manual.op as Op, dryRun: manual.dryRun === true };
  }
  const spec = targets.get(request.target)?.target;
  if (!spec) throw new TargetConfigError(`no target named "${request.target}" in the rules folder`);
  if (spec.type !== targetType) throw new TargetConfigError(`"${request.target}" is a ${spec.type} target: this ${nodeType} node handles ${targetType} targets`);
  if (!SUPPORTED_OPS[targetType].includes(request.op)) {
    throw new TargetConfigError(`a ${targetType} target cannot ${request.op}; it can: ${SUPPORTED_OPS[targetType].join(', ')}`);
  }
  return request;
}
