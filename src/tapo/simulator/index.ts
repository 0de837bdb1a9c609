/** A Tapo P100/P110/P115 plug simulator (KLAP or securePassthrough) for tests and demos; see server.ts. */
export { TapoSimulator, type TapoListenAddress, type TapoSimulatorOptions, type TapoSimulatorStats } from './server';
export type { MutatingCall, PlugModel } from './device';
export { klapAuthHash, klapSessionKeys, type KlapSessionKeys } from './klap';
