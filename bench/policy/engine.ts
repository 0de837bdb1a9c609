/**
 * The policy engine on a virtual clock: a 24 h trace at 1 s resolution (one
 * four-hour outage in the middle, run to the end and restored) through the
 * shipped homelab policy via the simulator, beside the baseline — the
 * simplest correct code for the same triggering work: a loop that keeps the
 * on-battery start and checks the homelab triggers on every sample, with no
 * stages, state copies or explanations. Interleaved rounds; medians, steps/s
 * and the ratio. Target: the 24 h trace in under 1 s of wall time.
 */
import * as path from 'node:path';
import { compilePolicy } from '../../src/policy/engine/compile';
import { buildRuleSet } from '../../src/policy/rule-set';
import { loadRulesDir } from '../../src/policy/rules-dir';
import { simulate } from '../../src/policy/simulate';
import { parseTrace } from '../../src/policy/trace';
import { fixed, median, verdict } from '../lib/stats';

const ROUNDS = 7;
const TARGET_MS = 1000;
const ROOT = path.resolve(__dirname, '..', '..', '..');

const TRACE = `apiVersion: walnut/v1
kind: Trace
end: 24h
samples:
  - { at: 0s, status: OL, charge: 100, runtime: 2400 }
  - { at: 10h, status: OB DISCHRG, charge: 100, runtime: 2400 }
  - { at: 10h35m, status: OB DISCHRG LB, charge: 10, runtime: 200 }
  - { at: 14h, status: OL CHRG, charge: 10, runtime: 200 }
  - { at: 18h, status: OL, charge: 100, runtime: 2400 }
targets:
  default: { takes: 20s }
`;

interface Sample {
  flags: string[];
  charge: number;
  runtime: number;
}

/** The baseline: homelab's triggers (on battery 2 min, runtime below 10 min, charge below 40 %) and the critical OB+LB. */
function baseline(samples: readonly Sample[]): number {
  let onBatterySince: number | undefined;
  let triggers = 0;
  let running = false;
  samples.forEach((sample, second) => {
    const onBattery = sample.flags.includes('OB');
    if (!onBattery) {
      onBatterySince = undefined;
      running = false;
      return;
    }
    onBatterySince ??= second;
    const fire = sample.flags.includes('LB') || second - onBatterySince >= 120 || sample.runtime < 600 || sample.charge < 40;
    if (fire && !running) {
      running = true;
      triggers += 1;
    }
  });
  return triggers;
}

async function main(): Promise<void> {
  const { ruleSet } = buildRuleSet(await loadRulesDir(path.join(ROOT, 'rules')));
  const targets = new Map([...ruleSet.targets].map(([name, defined]) => [name, defined.target]));
  const policy = compilePolicy(ruleSet.policies.get('homelab')!.document, targets);
  const options = { armed: true, targetTypes: new Map([...targets].map(([name, target]) => [name, target.type])) };
  const trace = parseTrace('bench-24h.yaml', TRACE);

  // The baseline reads the same samples the simulator produces (precomputed: its own cost is the loop).
  const samples: Sample[] = [];
  const first = simulate(policy, options, trace);
  for (let t = 0; t <= trace.endMs; t += 1000) {
    const hour = t / 3_600_000;
    const outage = hour >= 10 && hour < 14;
    const minutes = (hour - 10) * 60;
    samples.push({ flags: outage ? (minutes >= 35 ? ['OB', 'DISCHRG', 'LB'] : ['OB', 'DISCHRG']) : ['OL'], charge: outage ? 100 - minutes * 2.5 : 100, runtime: outage ? 2400 - minutes * 63 : 2400 });
  }

  const engineMs: number[] = [];
  const baselineMs: number[] = [];
  let steps = first.steps;
  let decisions = first.decisions.length;
  for (let round = 0; round < ROUNDS; round += 1) {
    let start = performance.now();
    const result = simulate(policy, options, trace);
    engineMs.push(performance.now() - start);
    steps = result.steps;
    decisions = result.decisions.length;
    start = performance.now();
    if (baseline(samples) !== 1) throw new Error('baseline: expected exactly one run');
    baselineMs.push(performance.now() - start);
  }
  const engine = median(engineMs);
  const base = median(baselineMs);
  console.log('policy engine: 24 h trace at 1 s resolution (homelab policy, one 4 h outage, run and restore)');
  console.log(`  engine (simulate, step())  ${fixed(engine, 1, 8)} ms   ${fixed(steps / (engine / 1000) / 1e6, 2, 6)} M steps/s   ${steps} steps, ${decisions} decisions`);
  console.log(`  baseline (plain loop)      ${fixed(base, 1, 8)} ms   ${fixed(samples.length / (base / 1000) / 1e6, 2, 6)} M samples/s`);
  console.log(`  ratio engine/baseline      ${fixed(engine / base, 1, 8)} ×`);
  console.log(`  target: 24 h simulated in < ${TARGET_MS} ms of wall time: ${verdict(engine < TARGET_MS)}`);
}

void main();
