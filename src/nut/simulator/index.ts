/** An upsd-compatible NUT server for tests and demos; see server.ts. */
export { NutSimulator, type ListenAddress, type NutSimulatorOptions } from './server';
export type { RangeLimit, UpsDefinition, UpsmonRole, UserAction, UserDefinition } from './state';
export type * from './events';
export type { GarbageMode } from './faults';
export { defaultDemoUps, defaultDemoUsers, type NamedUps } from './demo';
export {
  FAULTS,
  type FaultName,
  type FaultStep,
  loadScenario,
  parseScenario,
  type Scenario,
  ScenarioError,
  type ScenarioStep,
  type VarsStep,
} from './scenario';
export { applyStep, realClock, runScenario, type ScenarioClock, type ScenarioRun, type ScenarioRunOptions } from './scenario-runner';
