/** A fake Shelly plug (Gen1 or Gen2) for tests and demos; see server.ts. */
export { type ListenAddress, ShellySimulator, type ShellySimulatorOptions, type ShellySimulatorStats } from './server';
export type { MutatingCall } from './state';
export type { NonceStyle } from './nonces';
