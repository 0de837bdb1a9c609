import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { freePort } from '../../bench/lib/stats';

export { freePort };

/**
 * A real upsd with the dummy-ups driver (Debian nut-server), started as
 * PROTOCOLS.md §1.7 says: a short temp folder (the driver socket must fit in
 * sun_path), both daemons in the foreground as root, killed by PID.
 */
export interface RealUpsd {
  host: string;
  port: number;
  dir: string;
  devFile: string;
  /** Rewrites the dummy device file (upsc dump format) and bumps its mtime so the driver re-reads it. */
  writeDevice(vars: Record<string, string>): void;
  killDriver(): Promise<void>;
  startDriver(): Promise<void>;
  stopDriver(): void;
  continueDriver(): void;
  killUpsd(): Promise<void>;
  startUpsd(): Promise<void>;
  stop(): Promise<void>;
}

export const UPSD_BIN = '/lib/nut/upsd';
export const DUMMY_UPS_BIN = '/lib/nut/dummy-ups';

export const DEFAULT_DEVICE: Record<string, string> = {
  'device.mfr': 'Walnut Test',
  'device.model': 'Dummy 1500',
  'device.serial': 'WT0001',
  'ups.mfr': 'Walnut Test',
  'ups.model': 'Dummy 1500',
  'ups.serial': 'WT0001',
  'ups.status': 'OL',
  'ups.load': '23',
  'ups.realpower.nominal': '900',
  'battery.charge': '100',
  'battery.charge.low': '20',
  'battery.runtime': '1800',
  'battery.runtime.low': '120',
  'battery.voltage': '27.3',
  'input.voltage': '230.0',
  'output.voltage': '230.0',
};

export interface UpsdOptions {
  users?: string;
  maxAge?: number;
  description?: string;
  device?: Record<string, string>;
}

export const DEFAULT_USERS = `
[monuser]
  password = "se\\#cret pw"
  upsmon secondary

[admin]
  password = adminpw
  actions = SET
  actions = FSD
  instcmds = ALL
  upsmon primary

[setonly]
  password = setpw
  actions = SET

[bsuser]
  password = "back\\\\slash \\"quoted\\" \\#hash"
  upsmon secondary
`;

export function assertNutInstalled(): void {
  for (const bin of [UPSD_BIN, DUMMY_UPS_BIN]) {
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: the test command installs Debian's nut-server (scripts/install-test-peers.sh)`);
  }
}

function deviceText(vars: Record<string, string>): string {
  return `${Object.entries(vars).map(([name, value]) => `${name}: ${value}`).join('\n')}\n`;
}

/** Resolves when `host:port` accepts TCP connections. */
async function listening(port: number, deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`upsd did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves when the driver socket exists (upsd can reach the driver). */
async function driverSocket(dir: string, deadlineMs = 10_000): Promise<void> {
  const socket = path.join(dir, 'run', 'dummy-ups-dummy');
  const deadline = Date.now() + deadlineMs;
  while (!fs.existsSync(socket)) {
    if (Date.now() > deadline) throw new Error('dummy-ups did not create its socket');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function kill(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Waits until upsd serves the device file's status (before the driver's first read it says WAIT). */
async function populated(port: number, device: Record<string, string>, deadlineMs = 15_000): Promise<void> {
  const expected = device['ups.status'];
  const deadline = Date.now() + deadlineMs;
  while (upsc(`dummy@127.0.0.1:${port}`, 'ups.status') !== expected) {
    if (Date.now() > deadline) throw new Error('upsd never served the dummy device');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startRealUpsd(options: UpsdOptions = {}): Promise<RealUpsd> {
  assertNutInstalled();
  const dir = fs.mkdtempSync('/tmp/wn-');
  const etc = path.join(dir, 'etc');
  const run = path.join(dir, 'run');
  fs.mkdirSync(etc);
  fs.mkdirSync(run, { mode: 0o750 });
  const port = await freePort();
  const devFile = path.join(etc, 'dummy.dev');
  fs.writeFileSync(devFile, deviceText(options.device ?? DEFAULT_DEVICE));
  const description = options.description ?? 'Test \\"UPS\\" \\#1';
  fs.writeFileSync(path.join(etc, 'ups.conf'), `pollinterval = 1\n[dummy]\n  driver = dummy-ups\n  port = dummy.dev\n  mode = dummy-loop\n  desc = "${description}"\n`);
  fs.writeFileSync(path.join(etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\nSTATEPATH ${run}\nMAXAGE ${options.maxAge ?? 15}\n`);
  fs.writeFileSync(path.join(etc, 'upsd.users'), options.users ?? DEFAULT_USERS, { mode: 0o600 });
  fs.writeFileSync(path.join(etc, 'nut.conf'), 'MODE=standalone\n');
  const env = { ...process.env, NUT_CONFPATH: etc, NUT_STATEPATH: run, NUT_ALTPIDPATH: run };

  let driver: ChildProcess | undefined;
  let upsd: ChildProcess | undefined;
  const startDriver = async (): Promise<void> => {
    fs.rmSync(path.join(run, 'dummy-ups-dummy'), { force: true });
    driver = spawn(DUMMY_UPS_BIN, ['-a', 'dummy', '-u', 'root', '-F'], { env, stdio: 'ignore' });
    await driverSocket(dir);
  };
  const startUpsd = async (): Promise<void> => {
    upsd = spawn(UPSD_BIN, ['-u', 'root', '-F'], { env, stdio: 'ignore' });
    await listening(port);
  };
  await startDriver();
  await startUpsd();
  await populated(port, options.device ?? DEFAULT_DEVICE);

  let mtime = Math.floor(Date.now() / 1000);
  return {
    host: '127.0.0.1',
    port,
    dir,
    devFile,
    writeDevice(vars) {
      fs.writeFileSync(devFile, deviceText(vars));
      // dummy-ups re-reads only when the mtime second changes: move it forward every time.
      mtime = Math.max(mtime + 1, Math.floor(Date.now() / 1000) + 1);
      fs.utimesSync(devFile, mtime, mtime);
    },
    killDriver: () => kill(driver),
    startDriver,
    stopDriver: () => driver?.kill('SIGSTOP'),
    continueDriver: () => driver?.kill('SIGCONT'),
    killUpsd: () => kill(upsd),
    startUpsd,
    async stop() {
      driver?.kill('SIGCONT');
      await kill(upsd);
      await kill(driver);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Debian's upsc, for cross-checking what our client reads. */
export function upsc(target: string, variable?: string): string {
  const result = spawnSync('upsc', variable === undefined ? [target] : [target, variable], { encoding: 'utf8' });
  return result.stdout.trim();
}
