import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { childEnv, DIST, waitForLine } from './process';

export interface RunningHub {
  child: ChildProcess;
  http: string;
  mqtt: string;
  dbPath: string;
  output: () => string;
}

/** Spawns the built hub as `npm start` runs it, on free ports, and waits for its ready line. */
export async function spawnHub(env: Record<string, string>): Promise<RunningHub> {
  const child = spawn(process.execPath, [path.join(DIST, 'src/hub/main.js')], {
    env: childEnv({ WALNUT_HTTP_PORT: '0', WALNUT_MQTT_PORT: '0', WALNUT_LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const match = await waitForLine(child, /walNUT hub ready: editor (\S+) mqtt (\S+) database (\S+)/);
  return { child, http: match[1] ?? '', mqtt: match[2] ?? '', dbPath: match[3] ?? '', output: () => output };
}
