import type { TapoTarget } from '../../policy/spec';
import { TargetConfigError } from '../../errors';
import type { SecretResolver } from '../driver';
import { PlugDriver } from '../plug-driver';
import { splitHostPort } from '../shelly/driver';
import { TapoClient } from './client';

export function tapoDriver(name: string, spec: TapoTarget, secret: SecretResolver): PlugDriver {
  const { host, port } = splitHostPort(spec.host, 80);
  const where = `tapo ${name} (${spec.host})`;
  return new PlugDriver(name, where, async () => {
    const stored = await secret(spec.credentials.secretRef);
    const separator = stored.indexOf(':');
    if (separator < 1) throw new TargetConfigError(`${where}: secret "${spec.credentials.secretRef}" must hold email:password`);
    const client = new TapoClient(where, host, port, stored.slice(0, separator), stored.slice(separator + 1));
    return {
      status: async () => {
        const info = await client.call('get_device_info');
        // P110/P115 report the power drawn (mW); a P100 has no energy meter.
        const energy = await client.call('get_energy_usage').catch(() => undefined);
        const power = typeof energy?.current_power === 'number' ? energy.current_power / 1000 : undefined;
        return { on: info.device_on === true, ...(power === undefined ? {} : { powerW: power }) };
      },
      set: async (on) => {
        await client.call('set_device_info', { device_on: on });
      },
      close: () => client.close(),
    };
  });
}
