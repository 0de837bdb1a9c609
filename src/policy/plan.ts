/**
 * The plan of a policy and its runtime budget: when each stage starts and
 * ends at worst (every stage taking its whole timeout), and how much runtime
 * is left at the end, with the load falling as targets are shed.
 */
import type { CompiledPolicy } from './engine/compile';
import { POWER_CUTTING_OPS, type Op, type TargetType } from './spec';

function cutsPower(type: TargetType | undefined, op: Op): boolean {
  if (type === 'proxmox') return op === 'poweroff';
  return POWER_CUTTING_OPS.includes(op);
}

export interface PowerReading {
  /** Runtime the UPS reports, in seconds. */
  runtimeS: number;
  /** Load in watts when known (ups.realpower, or the targets' watts). */
  loadW?: number;
}

export interface PlannedStage {
  name: string;
  startMs: number;
  worstEndMs: number;
  /** Watts no longer drawn once this stage is over. */
  shedW: number;
  /** Runtime left at the stage's worst-case end, at the load that remains. */
  runtimeLeftMs?: number;
}

export interface Plan {
  policy: string;
  stages: PlannedStage[];
  worstEndMs: number;
  reserveMs: number;
  /** Runtime left at the worst-case end minus the reserve: negative means the battery runs out first. */
  marginMs?: number;
  reading?: PowerReading;
}

export function planPolicy(policy: CompiledPolicy, reading?: PowerReading): Plan {
  const stages: PlannedStage[] = [];
  const shed = new Set<string>();
  let previousEnd = 0;
  for (const stage of policy.stages) {
    const startMs = Math.max(stage.afterMs, previousEnd);
    const worstEndMs = startMs + stage.timeoutMs;
    let shedW = 0;
    for (const { target, op } of stage.actions) {
      // A target stops drawing power once; a Proxmox guest shutdown leaves the node running.
      if (shed.has(target) || !cutsPower(policy.targetTypes[target], op)) continue;
      shed.add(target);
      shedW += policy.watts[target] ?? 0;
    }
    stages.push({ name: stage.name, startMs, worstEndMs, shedW });
    previousEnd = worstEndMs;
  }
  const plan: Plan = { policy: policy.name, stages, worstEndMs: previousEnd, reserveMs: policy.reserveMs };
  if (!reading) return plan;
  plan.reading = reading;
  // Energy in watt-milliseconds: the battery holds runtime × load; each stretch drains at the load of that stretch.
  const load0 = reading.loadW ?? 0;
  let energy = reading.runtimeS * 1000 * (load0 > 0 ? load0 : 1);
  let load = load0 > 0 ? load0 : 1;
  let t = 0;
  for (const stage of stages) {
    energy -= (stage.worstEndMs - t) * load;
    t = stage.worstEndMs;
    if (load0 > 0) load = Math.max(load - stage.shedW, load0 * 0.05);
    stage.runtimeLeftMs = Math.round(energy / load);
  }
  plan.marginMs = Math.round(energy / load) - policy.reserveMs;
  return plan;
}
