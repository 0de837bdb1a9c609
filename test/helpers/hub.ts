import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { childEnv, DIST, waitForLine } from './process';

export interface RunningHub {
  child: ChildProcess;
  http: string;
  mqtt: string;
  dbPath: string;
  nut: string[];
  output: () => string;
  /** Resolves when the hub's output so far, or from now on, matches `pattern`. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
}

/** Spawns the built hub as `npm start` runs it, on free ports, and waits for its ready line. */
export async function spawnHub(env: Record<string, string>): Promise<RunningHub> {
  const child = spawn(process.execPath, [path.join(DIST, 'src/hub/main.js')], {
    env: childEnv({ WALNUT_HTTP_PORT: '0', WALNUT_MQTT_PORT: '0', WALNUT_DEMO_NUT_PORT: '0', WALNUT_DEMO_DEVICES: 'false', WALNUT_LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const match = await waitForLine(child, /walNUT hub ready: editor (\S+) mqtt (\S+) database (\S+) nut (\S*)/);
  const waitFor = (pattern: RegExp, timeoutMs = 20_000): Promise<void> =>
    new Promise((resolve, reject) => {
      if (pattern.test(output)) return resolve();
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`hub output never matched ${pattern}:\n${output}`));
      }, timeoutMs);
      const check = (): void => {
        if (!pattern.test(output)) return;
        cleanup();
        resolve();
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        child.stdout.off('data', check);
        child.stderr.off('data', check);
      };
      // Registered after the accumulating listeners, so `output` already holds the chunk.
      child.stdout.on('data', check);
      child.stderr.on('data', check);
    });
  return { child, http: match[1] ?? '', mqtt: match[2] ?? '', dbPath: match[3] ?? '', nut: (match[4] ?? '').split(',').filter(Boolean), output: () => output, waitFor };
}
