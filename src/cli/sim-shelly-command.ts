import { UsageError } from '../errors';
import { parsePort, type SimControl, untilStopped } from './sim-common';
import { ShellySimulator } from '../shelly/simulator';
import { println } from './common';

export interface SimShellyOptions {
  host?: string;
  port?: string;
  gen?: string;
  password?: string;
}

export type SimShellyControl = SimControl;


function parseGen(text: string | undefined): 1 | 2 {
  if (text === undefined || text === '2') return 2;
  if (text === '1') return 1;
  throw new UsageError(`--gen must be 1 or 2, got "${text}"`);
}


/** A curl line that works against this generation; the password stays a placeholder so it is not echoed. */
function tryLine(gen: 1 | 2, base: string, auth: boolean): string {
  if (gen === 1) return `try: curl ${auth ? '-u admin:<password> ' : ''}'${base}/relay/0?turn=off'`;
  return `try: curl ${auth ? '--digest -u admin:<password> ' : ''}'${base}/rpc/Switch.GetStatus?id=0'`;
}

/** `walnut sim shelly`: a fake Shelly plug (Gen1 or Gen2) until Ctrl-C. */
export async function simShellyCommand(options: SimShellyOptions, control: SimShellyControl = {}): Promise<void> {
  const print = control.print ?? println;
  const host = options.host ?? '127.0.0.1';
  const port = parsePort(options.port, 8080);
  const gen = parseGen(options.gen);
  if (options.password === '') throw new UsageError('--password must not be empty (leave it out to turn auth off)');

  const sim = new ShellySimulator({ gen, ...(options.password === undefined ? {} : { password: options.password }) });
  const address = await sim.start({ host, port });
  try {
    const auth = options.password !== undefined;
    const base = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
    print(`auth: ${auth ? (gen === 1 ? 'on (HTTP Basic, user admin)' : 'on (SHA-256 digest, user admin)') : 'off'}`);
    print(tryLine(gen, base, auth));
    print(`Shelly Gen${gen} simulator listening on ${address.host}:${address.port}`);
    await untilStopped(control.stop);
  } finally {
    await sim.stop();
  }
}
