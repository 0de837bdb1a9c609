/**
 * A checked PolicyDocument turned into what the engine runs: durations in
 * milliseconds, defaults filled in, restore actions derived. Done once per load.
 */
import { durationMs } from '../duration';
import { INVERSE_OPS, type Action, type OnTimeout, type PolicyDocument, type Target, type Trigger } from '../spec';

/** upsmon's DEADTIME: no data this long from a UPS last seen on battery is critical (unless comm_lost says otherwise). */
export const DEFAULT_COMM_LOSS_MS = 15_000;
export const DEFAULT_STAGE_TIMEOUT_MS = 120_000;
export const DEFAULT_CANCEL_ONLINE_MS = 60_000;
export const DEFAULT_RESTORE_ONLINE_MS = 300_000;
export const DEFAULT_RESTORE_ACTION_TIMEOUT_MS = 120_000;

export interface CompiledStage {
  name: string;
  afterMs: number;
  parallel: boolean;
  actions: Action[];
  timeoutMs: number;
  onTimeout: OnTimeout;
}

export interface CompiledPolicy {
  name: string;
  ups: string[];
  group?: { members: string[]; minHealthy: number };
  triggers: { mode: 'any' | 'all'; conditions: Trigger[] };
  commLossMs: number;
  cancelOnlineMs: number;
  stages: CompiledStage[];
  pointOfNoReturn?: number;
  reserveMs: number;
  restore: { onlineMs: number; chargeAbove?: number; inverse: boolean; actions: Action[]; actionTimeoutMs: number };
  /** Power drawn by each target named in the stages, and its type (for the plan). */
  watts: Record<string, number>;
  targetTypes: Record<string, Target['type']>;
}

export function compilePolicy(document: PolicyDocument, targets: ReadonlyMap<string, Target> = new Map()): CompiledPolicy {
  let previousAfter = 0;
  const stages = document.stages.map((stage): CompiledStage => {
    previousAfter = stage.after === undefined ? previousAfter : durationMs(stage.after);
    return {
      name: stage.name,
      afterMs: previousAfter,
      parallel: stage.parallel === true,
      actions: stage.actions,
      timeoutMs: stage.timeout === undefined ? DEFAULT_STAGE_TIMEOUT_MS : durationMs(stage.timeout),
      onTimeout: stage.on_timeout ?? 'continue',
    };
  });
  const conditions = document.triggers.any ?? document.triggers.all ?? [];
  const commLost = conditions.find((condition) => condition.comm_lost !== undefined)?.comm_lost;
  const restore = document.restore;
  const pointOfNoReturn = document.point_of_no_return === undefined
    ? undefined
    : stages.findIndex((stage) => stage.name === document.point_of_no_return);
  const watts: Record<string, number> = {};
  const targetTypes: Record<string, Target['type']> = {};
  for (const stage of stages) {
    for (const action of stage.actions) {
      const target = targets.get(action.target);
      watts[action.target] = target?.watts ?? 0;
      if (target) targetTypes[action.target] = target.type;
    }
  }
  return {
    name: document.name,
    ups: document.ups ?? document.group?.members ?? [],
    ...(document.group ? { group: { members: document.group.members, minHealthy: document.group.min_healthy } } : {}),
    triggers: { mode: document.triggers.all ? 'all' : 'any', conditions },
    // A comm_lost trigger names the policy's comm-loss time; the critical rule uses it too.
    commLossMs: commLost?.for === undefined ? DEFAULT_COMM_LOSS_MS : durationMs(commLost.for),
    cancelOnlineMs: document.cancel_when?.online?.for === undefined ? DEFAULT_CANCEL_ONLINE_MS : durationMs(document.cancel_when.online.for),
    stages,
    ...(pointOfNoReturn === undefined || pointOfNoReturn < 0 ? {} : { pointOfNoReturn }),
    reserveMs: document.reserve === undefined ? 0 : durationMs(document.reserve),
    restore: {
      onlineMs: restore?.when?.online?.for === undefined ? DEFAULT_RESTORE_ONLINE_MS : durationMs(restore.when.online.for),
      ...(restore?.when?.charge_above === undefined ? {} : { chargeAbove: restore.when.charge_above }),
      inverse: restore?.inverse === true,
      actions: restore?.actions ?? [],
      actionTimeoutMs: restore?.timeout === undefined ? DEFAULT_RESTORE_ACTION_TIMEOUT_MS : durationMs(restore.timeout),
    },
    watts,
    targetTypes,
  };
}

/** Restore actions for a run: the listed ones, or the inverse of what the run did, last first. */
export function restoreActions(policy: CompiledPolicy, done: readonly Action[], types: ReadonlyMap<string, Target['type']>): Action[] {
  if (!policy.restore.inverse) return policy.restore.actions;
  const actions: Action[] = [];
  for (const action of [...done].reverse()) {
    const type = types.get(action.target);
    const op = type === undefined ? undefined : INVERSE_OPS[type]?.[action.op];
    if (op !== undefined && !actions.some((known) => known.target === action.target && known.op === op)) actions.push({ target: action.target, op });
  }
  return actions;
}
