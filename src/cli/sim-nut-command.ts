import { parsePort, type SimControl, untilStopped } from './sim-common';
import { defaultDemoUps, defaultDemoUsers } from '../nut/simulator/demo';
import { loadScenario, type Scenario, type ScenarioStep } from '../nut/simulator/scenario';
import { runScenario } from '../nut/simulator/scenario-runner';
import { NutSimulator } from '../nut/simulator/server';
import { println } from './common';

export interface SimNutOptions {
  host?: string;
  port?: string;
  scenario?: string;
}

export type SimNutControl = SimControl;


function describeStep(step: ScenarioStep): string {
  if ('fault' in step) return `fault ${step.fault}${step.ups === undefined ? '' : ` on ${step.ups}`}${step.on === false ? ' off' : ''}`;
  const vars = Object.entries(step.vars).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return `${step.ups}: ${vars.join(' ')}`;
}


/**
 * `walnut sim-nut`: an upsd-compatible server with the demo UPS and accounts,
 * optionally playing a scenario, until Ctrl-C.
 */
export async function simNutCommand(options: SimNutOptions, control: SimNutControl = {}): Promise<void> {
  const print = control.print ?? println;
  const host = options.host ?? '127.0.0.1';
  const port = parsePort(options.port, 3493);
  const scenario: Scenario | undefined = options.scenario === undefined ? undefined : await loadScenario(options.scenario);

  const sim = new NutSimulator();
  const demo = defaultDemoUps();
  sim.addUps(demo.name, demo.definition);
  for (const [name, user] of Object.entries(defaultDemoUsers())) sim.addUser(name, user);

  const address = await sim.start({ host, port });
  try {
    const run = scenario === undefined ? undefined : runScenario(sim, scenario, { onStep: (step) => print(`t+${step.at}s ${describeStep(step)}`) });
    print('users: monuser/secret (upsmon secondary), admin/admin-secret (upsmon primary, actions SET FSD, instcmds ALL)');
    if (scenario !== undefined) print(`scenario: ${options.scenario} (${scenario.steps.length} steps)`);
    const firstUps = Object.keys(scenario?.ups ?? {})[0] ?? demo.name;
    print(`try: upsc ${firstUps}@${address.host}:${address.port}`);
    print(`NUT simulator listening on ${address.host}:${address.port}`);
    run?.finished.catch((error: unknown) => print(`scenario stopped: ${(error as Error).message}`));
    await untilStopped(control.stop);
    run?.stop();
  } finally {
    await sim.stop();
  }
}
