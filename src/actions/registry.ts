import { TargetConfigError } from '../errors';
import type { Target } from '../policy/spec';
import type { Driver, SecretResolver } from './driver';
import { SshDriver } from './ssh';
import { UpsDriver } from './ups';
import { WolDriver } from './wol';

export interface DriverDeps {
  secret: SecretResolver;
  /** The SSH host-key fingerprint recorded by `walnut targets trust` for this target. */
  trustedFingerprint(target: string): Promise<string | undefined>;
}

/** The driver of one target. Proxmox, Tapo and Shelly arrive with "Actions 2/2". */
export function createDriver(name: string, target: Target, deps: DriverDeps): Driver {
  switch (target.type) {
    case 'ssh': return new SshDriver(name, target, { secret: deps.secret, trustedFingerprint: () => deps.trustedFingerprint(name) });
    case 'ups': return new UpsDriver(name, target, deps.secret);
    case 'wol': return new WolDriver(name, target);
    default: throw new TargetConfigError(`${target.type} target ${name}: this build has no ${target.type} driver yet`);
  }
}
