import type { Decision } from './engine/types';
import type { Op, TargetType } from './spec';

/** A decision of a named policy, as published on the bus and sent on the policy node's second output. */
export interface PolicyDecision {
  policy: string;
  dryRun: boolean;
  /** From "simulate outage": a live dry run on synthetic readings that no driver ever sees. */
  simulated?: boolean;
  decision: Decision;
}

/** What a driver is asked to do; `verify` asks it to probe whether `op` already took effect. */
export interface ActionRequest {
  runId: string;
  policy: string;
  stage: string;
  target: string;
  targetType: TargetType;
  op: Op;
  /** Milliseconds the driver may take. */
  timeout: number;
  dryRun: boolean;
  force: boolean;
  verify: boolean;
}
