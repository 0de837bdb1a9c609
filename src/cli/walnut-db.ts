#!/usr/bin/env node
import { Command } from 'commander';
import { runProgram } from './common';
import { copyCommand, healthCommand, infoCommand, initCommand, migrateCommand, rekeyCommand, resetCommand, testEncryptionCommand } from './db-commands';

const program = new Command('walnut-db')
  .description('walNUT database tools: the encrypted store, its keys and its schema')
  .option('--db-path <path>', 'database file (default: WALNUT_DB_PATH, else <WALNUT_DATA_DIR>/walnut.db)')
  .showHelpAfterError();

const globals = (command: Command): { dbPath?: string } => command.optsWithGlobals();

program
  .command('init')
  .description('create or open the database, apply migrations, create the data key')
  .option('--demo', 'seed 3 sites, 6 UPSes, 12 hosts and 24 h of samples')
  .option('--json', 'machine-readable output')
  .action((options: { demo?: boolean; json?: boolean }, command: Command) => initCommand({ ...globals(command), ...options }));

program
  .command('health')
  .description('SQLite: connection, latency, WAL, cipher, header encryption, schema, quick_check; PostgreSQL: server version, pool use, latency, schema, TLS; exits 1 when unhealthy')
  .option('--json', 'machine-readable output')
  .action((options: { json?: boolean }, command: Command) => healthCommand({ ...globals(command), ...options }));

program
  .command('info')
  .description('row counts, file size and what retention keeps')
  .option('--json', 'machine-readable output')
  .action((options: { json?: boolean }, command: Command) => infoCommand({ ...globals(command), ...options }));

program
  .command('reset')
  .description('delete every row and recreate the empty schema (keeps the master key)')
  .option('--yes', 'confirm: without it reset refuses')
  .option('--json', 'machine-readable output')
  .action((options: { yes?: boolean; json?: boolean }, command: Command) => resetCommand({ ...globals(command), ...options }));

program
  .command('test-encryption')
  .description('prove on a temporary database that the file is encrypted and a wrong key is refused')
  .option('--json', 'machine-readable output')
  .action((options: { json?: boolean }) => testEncryptionCommand(options));

program
  .command('migrate')
  .description('apply (latest), undo the last batch (rollback) or list (status) migrations')
  .argument('[action]', 'latest | rollback | status', 'latest')
  .option('--json', 'machine-readable output')
  .action((action: string, options: { json?: boolean }, command: Command) => migrateCommand(action, { ...globals(command), ...options }));

program
  .command('rekey')
  .description('rotate the master key: new file key, data key re-wrapped; atomic')
  .option('--new-key-file <file>', 'file holding the new master key (32+ characters)')
  .option('--json', 'machine-readable output')
  .action((options: { newKeyFile?: string; json?: boolean }, command: Command) => rekeyCommand({ ...globals(command), ...options }));

program
  .command('copy')
  .description('copy this SQLite store into an empty PostgreSQL database in one transaction, then verify every table by its sha256')
  .requiredOption('--to <url>', 'postgres://USER@HOST:PORT/DATABASE (password from PGPASSWORD or ~/.pgpass, never the command line)')
  .option('--json', 'machine-readable output')
  .action((options: { to?: string; json?: boolean }, command: Command) => copyCommand({ ...globals(command), ...options }));

void runProgram(program);
