#!/usr/bin/env node
import { Command } from 'commander';
import { runProgram } from './common';
import { secretsListCommand, secretsRemoveCommand, secretsSetCommand } from './secrets-commands';

const program = new Command('walnut')
  .description('walNUT: UPS power-management hub')
  .option('--db-path <path>', 'database file (default: WALNUT_DB_PATH, else <WALNUT_DATA_DIR>/walnut.db)')
  .showHelpAfterError();

const globals = (command: Command): { dbPath?: string } => command.optsWithGlobals();

const secrets = program.command('secrets').description('secrets used by targets (SSH keys, API tokens, passwords), encrypted field by field');

secrets
  .command('set')
  .description('store a secret: from a prompt without echo, a file, or stdin (never from the command line)')
  .argument('<name>', 'secret name, as targets reference it with secretRef')
  .option('--from-file <file>', 'read the value from a file (one trailing newline dropped)')
  .option('--stdin', 'read the value from standard input')
  .action((name: string, options: { fromFile?: string; stdin?: boolean }, command: Command) => secretsSetCommand(name, { ...globals(command), ...options }));

secrets
  .command('list')
  .description('names and dates, never values')
  .option('--json', 'machine-readable output')
  .action((options: { json?: boolean }, command: Command) => secretsListCommand({ ...globals(command), ...options }));

secrets
  .command('rm')
  .description('remove a secret')
  .argument('<name>', 'secret name')
  .action((name: string, _options: unknown, command: Command) => secretsRemoveCommand(name, globals(command)));

void runProgram(program);
