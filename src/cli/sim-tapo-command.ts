import { UsageError } from '../errors';
import { TapoSimulator } from '../tapo/simulator';
import { println } from './common';

export interface SimTapoOptions {
  host?: string;
  port?: string;
  transport?: string;
  email?: string;
  password?: string;
}

/** For tests: stop without a signal, and capture what would be printed. */
export interface SimTapoControl {
  stop?: AbortSignal;
  print?: (line: string) => void;
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 8080;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`--port must be a TCP port number (0-65535), got "${text}"`);
  return port;
}

function parseTransport(text: string | undefined): 'klap' | 'passthrough' {
  const transport = text ?? 'klap';
  if (transport !== 'klap' && transport !== 'passthrough') throw new UsageError(`--transport must be klap or passthrough, got "${transport}"`);
  return transport;
}

/** Resolves on SIGINT, SIGTERM or the test's abort signal, whichever comes first. */
function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (signal?.aborted) done();
    else signal?.addEventListener('abort', done);
  });
}

/** `walnut sim tapo`: a simulated Tapo P110 plug on plain HTTP until Ctrl-C. */
export async function simTapoCommand(options: SimTapoOptions, control: SimTapoControl = {}): Promise<void> {
  const print = control.print ?? println;
  const host = options.host ?? '127.0.0.1';
  const port = parsePort(options.port);
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
