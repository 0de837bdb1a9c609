/**
 * Debian's real upsd with the dummy-ups driver on a free 127.0.0.1 port (UPS
 * `dummy`), trimmed from test/helpers/upsd.ts (bench/ is compiled without test/):
 * a short temp folder (the driver socket must fit in sun_path), both daemons in
 * the foreground as root, killed by PID.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { freePort, sleep } from '../lib/stats';

const UPSD_BIN = '/lib/nut/upsd';
const DUMMY_UPS_BIN = '/lib/nut/dummy-ups';

const DEVICE: Record<string, string> = {
  'device.mfr': 'Walnut Bench',
  'device.model': 'Dummy 1500',
  'ups.mfr': 'Walnut Bench',
  'ups.model': 'Dummy 1500',
  'ups.status': 'OL',
  'ups.load': '23',
  'battery.charge': '100',
  'battery.runtime': '1800',
  'battery.voltage': '27.3',
  'input.voltage': '230.0',
  'output.voltage': '230.0',
};

export interface RealUpsd {
  host: string;
  port: number;
  stop(): Promise<void>;
}

async function until(probe: () => boolean | Promise<boolean>, what: string, deadlineMs = 15_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what} before the deadline`);
    await sleep(20);
  }
}

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

/** One GET VAR over a fresh connection: upsd says ERR DATA-STALE/WAIT until the driver's first read. */
const serves = (port: number, status: string): Promise<boolean> =>
  new Promise((resolve) => {
    let reply = '';
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write('GET VAR dummy ups.status\n'));
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (!reply.includes('\n')) return;
      socket.destroy();
      resolve(reply.trim() === `VAR dummy ups.status "${status}"`);
    });
    socket.on('error', () => resolve(false));
  });

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

export async function startRealUpsd(): Promise<RealUpsd> {
  for (const bin of [UPSD_BIN, DUMMY_UPS_BIN]) {
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: install Debian's nut-server (scripts/install-test-peers.sh)`);
  }
  const dir = fs.mkdtempSync('/tmp/wn-');
  const etc = path.join(dir, 'etc');
  const run = path.join(dir, 'run');
  fs.mkdirSync(etc);
  fs.mkdirSync(run, { mode: 0o750 });
  const port = await freePort();
  fs.writeFileSync(path.join(etc, 'dummy.dev'), `${Object.entries(DEVICE).map(([name, value]) => `${name}: ${value}`).join('\n')}\n`);
  fs.writeFileSync(path.join(etc, 'ups.conf'), 'pollinterval = 1\n[dummy]\n  driver = dummy-ups\n  port = dummy.dev\n  mode = dummy-loop\n  desc = "bench"\n');
  fs.writeFileSync(path.join(etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\nSTATEPATH ${run}\nMAXAGE 15\n`);
  fs.writeFileSync(path.join(etc, 'upsd.users'), '', { mode: 0o600 });
  fs.writeFileSync(path.join(etc, 'nut.conf'), 'MODE=standalone\n');
  const env = { ...process.env, NUT_CONFPATH: etc, NUT_STATEPATH: run, NUT_ALTPIDPATH: run };

  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const child of children.reverse()) await kill(child);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    children.push(spawn(DUMMY_UPS_BIN, ['-a', 'dummy', '-u', 'root', '-F'], { env, stdio: 'ignore' }));
    await until(() => fs.existsSync(path.join(run, 'dummy-ups-dummy')), 'dummy-ups did not create its socket');
    children.push(spawn(UPSD_BIN, ['-u', 'root', '-F'], { env, stdio: 'ignore' }));
    await until(() => accepts(port), `upsd did not listen on ${port}`);
    await until(() => serves(port, DEVICE['ups.status'] as string), 'upsd never served the dummy device');
  } catch (error) {
    await stop();
    throw error;
  }
  return { host: '127.0.0.1', port, stop };
}
