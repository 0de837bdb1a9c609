import * as path from 'node:path';
import type { Command } from 'commander';
import { loadSettings, type WalnutSettings } from '../../settings';
import { UsageError, WalnutError } from '../errors';

export interface GlobalOptions {
  dbPath?: string;
}

/** Settings from the environment, with `--db-path` (where given) winning over WALNUT_DB_PATH. */
export function cliSettings(options: GlobalOptions): WalnutSettings {
  const settings = loadSettings(process.env);
  if (options.dbPath !== undefined) settings.dbPath = path.resolve(options.dbPath);
  return settings;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function println(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * Runs a commander program: a WalnutError becomes one line on stderr and exit 1
 * (2 for usage), never a stack trace; anything else is a bug and shows its stack.
 */
export async function runProgram(program: Command, argv: string[] = process.argv): Promise<void> {
  program.exitOverride();
  program.configureOutput({ writeErr: (text) => process.stderr.write(text) });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    const name = program.name();
    if (error instanceof UsageError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof WalnutError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exitCode = 1;
    } else if (isCommanderExit(error)) {
      process.exitCode = error.exitCode;
    } else {
      process.stderr.write(`${name}: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  }
}

function isCommanderExit(error: unknown): error is { exitCode: number } {
  return typeof error === 'object' && error !== null && 'code' in error && String(error.code).startsWith('commander.');
}
