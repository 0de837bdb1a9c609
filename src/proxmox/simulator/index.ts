/** A fake Proxmox VE API server for tests and demos; see server.ts. */
export { ProxmoxSimulator, type MutatingCall, type ProxmoxListenInfo, type ProxmoxSimulatorOptions } from './server';
export type { GuestType, HaState, SimGuest } from './world';
export type { TokenPrivileges } from './auth';
export { fingerprint256, generateCertificate, type TlsMaterial } from './tls';
export { formatUpid, parseUpid, type UpidParts } from './upid';
export { addDemoCluster, DEMO_TOKEN_ID, type DemoCluster, demoGuests } from './demo';
