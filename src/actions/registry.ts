import type { Target } from '../policy/spec';
import type { Driver, SecretResolver } from './driver';
import { ProxmoxDriver } from './proxmox/driver';
import { shellyDriver } from './shelly/driver';
import { SshDriver } from './ssh';
import type { HostEndpoint } from './trust-store';
import { tapoDriver } from './tapo/driver';
import { UpsDriver } from './ups';
import { WolDriver } from './wol';

export interface DriverDeps {
  secret: SecretResolver;
  /** The SSH host-key fingerprint recorded by `walnut targets trust` for this address. */
  trustedFingerprint(endpoint: HostEndpoint): Promise<string | undefined>;
}

/** The driver of one target. */
export function createDriver(name: string, target: Target, deps: DriverDeps): Driver {
  switch (target.type) {
    case 'ssh': return new SshDriver(name, target, { secret: deps.secret, trustedFingerprint: () => deps.trustedFingerprint({ host: target.host, port: target.port ?? 22 }) });
    case 'ups': return new UpsDriver(name, target, deps.secret);
    case 'wol': return new WolDriver(name, target);
    case 'proxmox': return new ProxmoxDriver(name, target, deps.secret);
    case 'tapo': return tapoDriver(name, target, deps.secret);
    case 'shelly': return shellyDriver(name, target, deps.secret);
  }
}
