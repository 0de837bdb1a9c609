import type { ShellyTarget } from '../../policy/spec';
import type { SecretResolver } from '../driver';
import { PlugDriver } from '../plug-driver';
import { ShellyClient } from './client';

/** `host` may carry a port (`10.0.0.8:8080`), as a simulator needs. */
export function splitHostPort(host: string, fallback: number): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(host);
  return match && !host.startsWith('[') ? { host: match[1]!, port: Number(match[2]) } : { host, port: fallback };
}

export function shellyDriver(name: string, spec: ShellyTarget, secret: SecretResolver): PlugDriver {
  const { host, port } = splitHostPort(spec.host, 80);
  const channel = spec.channel ?? 0;
  const where = `shelly ${name} (${spec.host} channel ${channel})`;
  return new PlugDriver(name, where, async () => {
    // The secret is `admin:password` (the user is always admin); a bare password works too.
    const stored = spec.credentials ? await secret(spec.credentials.secretRef) : undefined;
    const password = stored === undefined ? undefined : stored.includes(':') ? stored.slice(stored.indexOf(':') + 1) : stored;
    const client = new ShellyClient(where, host, port, password);
    return { status: () => client.status(channel), set: (on) => client.set(channel, on), close: () => client.close() };
  });
}
