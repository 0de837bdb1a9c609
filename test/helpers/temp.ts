import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const created: string[] = [];

/** A fresh 0700 folder under the system temp dir, removed after the run. */
export function tempDir(prefix = 'walnut-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A master key of the right length, distinct per call. */
export function testKey(fill = 'k'): string {
  return `${fill}-${Math.random().toString(36).slice(2)}-`.padEnd(40, fill);
}
