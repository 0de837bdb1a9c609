import { UsageError } from '../errors';
import { parsePort, type SimControl, untilStopped } from './sim-common';
import { TapoSimulator } from '../tapo/simulator';
import { println } from './common';

export interface SimTapoOptions {
  host?: string;
  port?: string;
  transport?: string;
  email?: string;
  password?: string;
}

export type SimTapoControl = SimControl;


function parseTransport(text: string | undefined): 'klap' | 'passthrough' {
  const transport = text ?? 'klap';
  if (transport !== 'klap' && transport !== 'passthrough') throw new UsageError(`--transport must be klap or passthrough, got "${transport}"`);
  return transport;
}


/** `walnut sim tapo`: a simulated Tapo P110 plug on plain HTTP until Ctrl-C. */
export async function simTapoCommand(options: SimTapoOptions, control: SimTapoControl = {}): Promise<void> {
  const print = control.print ?? println;
  const host = options.host ?? '127.0.0.1';
  const port = parsePort(options.port, 8080);
  const transport = parseTransport(options.transport);
  const email = options.email ?? 'user@example.com';
  const password = options.password ?? 'secret';
  if (email.length === 0 || password.length === 0) throw new UsageError('--email and --password must not be empty');

  const sim = new TapoSimulator({ email, password, transport });
  const address = await sim.start({ host, port });
  try {
    print(`credentials: ${email} / ${password}`);
    print(`transport: ${transport === 'klap' ? 'KLAP (current firmware)' : 'securePassthrough (older firmware)'}, model P110, relay on`);
    const hostPart = address.host.includes(':') ? `[${address.host}]` : address.host;
    print(`Tapo simulator listening on http://${hostPart}:${address.port}`);
    await untilStopped(control.stop);
  } finally {
    await sim.stop();
  }
}
