/**
 * Simulator output: a decision timeline as text or JSON lines, and the
 * differences between the timelines of two policy versions.
 */
import { formatDuration } from './duration';
import type { Decision } from './engine/types';

/** The kinds tools read from `--json` (DESIGN.md); the text timeline shows every decision. */
export const TIMELINE_KINDS = new Set(['trigger', 'stage_start', 'action', 'cancel', 'restore', 'run_end']);

export interface TimelineEntry {
  t: number;
  kind: string;
  stage?: string;
  target?: string;
  op?: string;
  runId: string;
  rule: string;
}

export function timelineEntries(decisions: readonly Decision[]): TimelineEntry[] {
  return decisions.filter((decision) => TIMELINE_KINDS.has(decision.kind)).map((decision) => ({
    t: decision.t / 1000, kind: decision.kind, ...(decision.stage ? { stage: decision.stage } : {}),
    ...(decision.target ? { target: decision.target } : {}), ...(decision.op ? { op: decision.op } : {}),
    runId: decision.runId, rule: decision.because.rule,
  }));
}

const clock = (ms: number): string => `+${formatDuration(Math.round(ms / 1000) * 1000)}`.padEnd(9);

export function formatTimeline(decisions: readonly Decision[]): string[] {
  return decisions.map((decision) => {
    const what = [decision.stage, decision.target, decision.op].filter(Boolean).join(' ');
    const extra = [decision.pacing, decision.force ? 'force' : undefined, decision.outcome].filter(Boolean).join(', ');
    return `${clock(decision.t)} ${decision.kind.padEnd(11)} ${what}${extra ? ` [${extra}]` : ''}  — ${decision.because.rule} (${decision.because.input})`;
  });
}

export interface TimelineChange {
  change: 'only_in_a' | 'only_in_b' | 'moved';
  kind: string;
  stage?: string;
  target?: string;
  op?: string;
  tA?: number;
  tB?: number;
}

/** Pairs the n-th occurrence of each (kind, stage, target, op) in both timelines; what is left over differs. */
export function compareTimelines(a: readonly TimelineEntry[], b: readonly TimelineEntry[]): TimelineChange[] {
  const key = (entry: TimelineEntry): string => [entry.kind, entry.stage, entry.target, entry.op].join('|');
  const fields = (entry: TimelineEntry): Pick<TimelineChange, 'kind' | 'stage' | 'target' | 'op'> => ({
    kind: entry.kind, ...(entry.stage ? { stage: entry.stage } : {}), ...(entry.target ? { target: entry.target } : {}), ...(entry.op ? { op: entry.op } : {}),
  });
  const unmatched = new Map<string, TimelineEntry[]>();
  for (const entry of b) unmatched.set(key(entry), [...(unmatched.get(key(entry)) ?? []), entry]);
  const changes: TimelineChange[] = [];
  for (const entry of a) {
    const twin = unmatched.get(key(entry))?.shift();
    if (!twin) changes.push({ change: 'only_in_a', ...fields(entry), tA: entry.t });
    else if (twin.t !== entry.t) changes.push({ change: 'moved', ...fields(entry), tA: entry.t, tB: twin.t });
  }
  for (const rest of unmatched.values()) for (const entry of rest) changes.push({ change: 'only_in_b', ...fields(entry), tB: entry.t });
  return changes.sort((x, y) => (x.tA ?? x.tB ?? 0) - (y.tA ?? y.tB ?? 0));
}

export function formatChange(change: TimelineChange): string {
  const what = [change.kind, change.stage, change.target, change.op].filter(Boolean).join(' ');
  const at = (seconds: number | undefined): string => clock((seconds ?? 0) * 1000).trim();
  if (change.change === 'moved') return `moved      ${what}: ${at(change.tA)} → ${at(change.tB)}`;
  return `${change.change === 'only_in_a' ? 'only in A ' : 'only in B '} ${what} at ${at(change.tA ?? change.tB)}`;
}
