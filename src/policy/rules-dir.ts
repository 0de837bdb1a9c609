import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readRulesFile, type RulesFile } from './rules-file';

/** Only top-level `*.yaml` files are rules; hidden files are editors' temporaries. */
export function isRulesFileName(name: string): boolean {
  return name.endsWith('.yaml') && !name.startsWith('.');
}

/** Paths in messages: relative to the working folder when inside it, as users type them. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

export async function listRulesFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && isRulesFileName(entry.name))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

/** The file's rules, or undefined when it no longer exists. */
export async function loadRulesFile(file: string): Promise<RulesFile | undefined> {
  try {
    return readRulesFile(displayPath(file), await fs.readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function loadRulesDir(dir: string): Promise<RulesFile[]> {
  const files = await Promise.all((await listRulesFiles(dir)).map(loadRulesFile));
  return files.filter((file): file is RulesFile => file !== undefined);
}
