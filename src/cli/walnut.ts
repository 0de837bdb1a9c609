#!/usr/bin/env node
import { Command } from 'commander';
import { registerApiKeysCommands } from './apikeys-commands';
import { registerAuditCommand } from './audit-command';
import { registerBackupCommands } from './backup-commands';
import { runProgram } from './common';
import { registerExportCommand } from './export-command';
import { registerFlowsCommands } from './flows-commands';
import { registerServiceCommand } from './service-command';
import { registerUsersCommands } from './users-commands';
import { registerImportCommand } from './import-command';
import { mqttCredentialsCommand } from './mqtt-commands';
import { nutCheckCommand } from './nut-check-command';
import { nutSyncCommand } from './nut-sync-command';
import { simNutCommand } from './sim-nut-command';
import { simProxmoxCommand } from './sim-proxmox-command';
import { simShellyCommand } from './sim-shelly-command';
import { simTapoCommand } from './sim-tapo-command';
import { rulesOverrideCommand, rulesValidateCommand } from './rules-commands';
import { rulesPlanCommand, rulesSimulateCommand } from './rules-plan-simulate';
import { targetsListCommand, targetsProbeCommand, targetsRunCommand, targetsTrustCommand } from './targets-commands';
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
  .option('--fleet', 'on a fleet database (DATABASE_URL): for every site, not only this hub\'s WALNUT_SITE')
  .action((name: string, options: { fromFile?: string; stdin?: boolean; fleet?: boolean }, command: Command) => secretsSetCommand(name, { ...globals(command), ...options }));

secrets
  .command('list')
  .description('names, scope (this site or the whole fleet) and dates, never values')
  .option('--json', 'machine-readable output')
  .action((options: { json?: boolean }, command: Command) => secretsListCommand({ ...globals(command), ...options }));

secrets
  .command('rm')
  .description('remove a secret')
  .argument('<name>', 'secret name')
  .option('--fleet', 'on a fleet database: remove the fleet-wide secret, not this site\'s')
  .action((name: string, options: { fleet?: boolean }, command: Command) => secretsRemoveCommand(name, { ...globals(command), ...options }));

registerBackupCommands(program, globals);
registerImportCommand(program, globals);
registerExportCommand(program, globals);
registerFlowsCommands(program, globals);
registerUsersCommands(program, globals);
registerApiKeysCommands(program, globals);
registerAuditCommand(program, globals);
registerServiceCommand(program);

const mqttCommand = program.command('mqtt').description('the embedded MQTT broker that Home Assistant connects to');

mqttCommand
  .command('credentials')
  .description("Home Assistant's login to the embedded broker (made on the hub's first start, or now): broker, port, username, password")
  .option('--account <name>', 'homeassistant (default), or walnut-hub: the hub\'s own account, for mqtt-broker nodes in flows')
  .option('--json', 'machine-readable output')
  .action((options: { json?: boolean; account?: string }, command: Command) => mqttCredentialsCommand({ ...globals(command), ...options }));

const nut = program.command('nut').description('Network UPS Tools: check its files, compare them with the hub');

nut
  .command('check')
  .description('check ups.conf, upsd.conf, upsd.users and upsmon.conf; prints file:line: message, exits 1 on errors')
  .option('--conf-dir <dir>', 'NUT configuration folder', '/etc/nut')
  .option('--json', 'machine-readable output')
  .action((options: { confDir?: string; json?: boolean }) => nutCheckCommand(options));

nut
  .command('sync')
  .description("compare the hub's UPS registry with the NUT files and the live server (LIST UPS, a test LOGIN); exits 1 on mismatches")
  .option('--server <host:port>', '[user[:secretRef]@]host[:port] to compare (default: every server in WALNUT_NUT_SERVERS)')
  .option('--conf-dir <dir>', 'NUT configuration folder holding ups.conf', '/etc/nut')
  .option('--apply', "update the hub's registry to match the server (NUT's files are never changed)")
  .option('--json', 'machine-readable output')
  .action((options: { server?: string; confDir?: string; apply?: boolean; json?: boolean }, command: Command) => nutSyncCommand({ ...globals(command), ...options }));

const rules = program.command('rules').description('policy and target YAML files (the rules folder)');

rules
  .command('validate')
  .description('check rules files as the hub loads them; prints file:line:col: message, exits 1 on errors')
  .argument('[paths...]', 'files or folders (default: WALNUT_RULES_DIR, else ./rules)')
  .option('--json', 'machine-readable output')
  .option('--strict', 'warnings fail too')
  .option('--runtime <duration>', 'runtime for the budget check (default: the newest the hub recorded)')
  .option('--load-watts <watts>', 'load at that runtime, so shedding targets lengthens it')
  .action((paths: string[], options: { json?: boolean; strict?: boolean; runtime?: string; loadWatts?: string }, command: Command) => rulesValidateCommand(paths, { ...globals(command), ...options }));

rules
  .command('plan')
  .description("each stage's planned start and worst-case end, and the margin against the UPS's runtime as watts are shed; exits 1 when the margin is below the reserve")
  .argument('[policy]', 'policy name (default: every policy)')
  .option('--runtime <duration>', 'runtime to plan against (default: the newest the hub recorded)')
  .option('--load-watts <watts>', 'load at that runtime')
  .option('--measure', 'read the power Tapo and Shelly plugs meter now, for targets without watts in the rules')
  .option('--json', 'machine-readable output')
  .action((policy: string | undefined, options: { runtime?: string; loadWatts?: string; measure?: boolean; json?: boolean }, command: Command) => rulesPlanCommand(policy, { ...globals(command), ...options }));

rules
  .command('simulate')
  .description('run an outage trace through a policy on a virtual clock: the decision timeline, or the differences with another version')
  .requiredOption('--policy <name>', 'policy name in the rules folder')
  .requiredOption('--trace <file>', 'trace YAML (see rules/traces/)')
  .option('--compare <file>', 'a rules file with another version of the policy')
  .option('--json', 'JSON lines: {t, kind, stage, target, op, runId, rule} (or the changes, with --compare)')
  .action((options: { policy: string; trace: string; compare?: string; json?: boolean }, command: Command) => rulesSimulateCommand({ ...globals(command), ...options }));

rules
  .command('override')
  .description("switch a loaded policy's armed or dry-run flag from outside its YAML (stored and audited; dropped when the YAML value changes)")
  .argument('<policy>', 'policy name')
  .option('--armed <on|off|clear>', 'arm or disarm the policy, or drop the override')
  .option('--dry-run <on|off|clear>', 'only log actions, act for real, or drop the override')
  .option('--json', 'machine-readable output')
  .action((policy: string, options: { armed?: string; dryRun?: string; json?: boolean }, command: Command) => rulesOverrideCommand(policy, { ...globals(command), ...options }));

const targets = program.command('targets').description('the targets of the rules folder, by hand: drill one device before trusting a policy with it');

targets
  .command('list')
  .description('every target with its type, address, ops and host-key trust')
  .option('--json', 'machine-readable output')
  .action((options: { json?: boolean }, command: Command) => targetsListCommand({ ...globals(command), ...options }));

targets
  .command('probe')
  .description('read-only: reachable, logged in, current state; exits 1 when not reachable or refused')
  .argument('<name>', 'target name')
  .option('--timeout <duration>', 'how long to wait', '10s')
  .option('--json', 'machine-readable output')
  .action((name: string, options: { timeout?: string; json?: boolean }, command: Command) => targetsProbeCommand(name, { ...globals(command), ...options }));

targets
  .command('run')
  .description('one action through the job runner (a jobs row, verification, retries); exits 1 when it fails')
  .argument('<name>', 'target name')
  .requiredOption('--op <op>', 'shutdown, stop, off, on, wake, start or poweroff')
  .option('--dry-run', 'probe only and record what would be done')
  .option('--timeout <duration>', 'for acting and verifying', '2m')
  .option('--json', 'machine-readable output')
  .action((name: string, options: { op: string; dryRun?: boolean; timeout?: string; json?: boolean }, command: Command) => targetsRunCommand(name, { ...globals(command), ...options }));

targets
  .command('trust')
  .description("show the SSH host key a target presents and record it as trusted (a fingerprint in the rules wins)")
  .argument('<name>', 'target name')
  .option('--expect <fingerprint>', 'record only if the key has this SHA256 fingerprint')
  .option('--json', 'machine-readable output')
  .action((name: string, options: { expect?: string; json?: boolean }, command: Command) => targetsTrustCommand(name, { ...globals(command), ...options }));

const sim = program.command('sim').description('device simulators, to try flows without hardware');

sim
  .command('nut')
  .description('an upsd-compatible NUT server with a simulated UPS (accounts printed at start) until Ctrl-C')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'port to listen on (0 picks a free one)', '3493')
  .option('--scenario <file>', 'JSON scenario: timed UPS changes and faults (see src/nut/simulator/scenarios/outage.json)')
  .action((options: { host?: string; port?: string; scenario?: string }) => simNutCommand(options));

sim
  .command('proxmox')
  .description('a Proxmox VE API over HTTPS (self-signed certificate, a demo node with VMs, a CT, an HA and a paused guest) until Ctrl-C')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'port to listen on (0 picks a free one)', '8006')
  .action((options: { host?: string; port?: string }) => simProxmoxCommand(options));

sim
  .command('tapo')
  .description('a TP-Link Tapo P110 plug (KLAP, or securePassthrough as on older firmware) until Ctrl-C')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'port to listen on (0 picks a free one)', '8080')
  .option('--transport <klap|passthrough>', 'the firmware generation to play', 'klap')
  .option('--email <email>', 'the account the plug accepts', 'user@example.com')
  .option('--password <password>', 'its password (a simulator: this one may be on the command line)', 'secret')
  .action((options: { host?: string; port?: string; transport?: string; email?: string; password?: string }) => simTapoCommand(options));

sim
  .command('shelly')
  .description('a Shelly plug, Gen1 or Gen2 (with digest auth when --password is given), until Ctrl-C')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'port to listen on (0 picks a free one)', '8080')
  .option('--gen <1|2>', 'device generation', '2')
  .option('--password <password>', 'turn authentication on with this password (user admin)')
  .action((options: { host?: string; port?: string; gen?: string; password?: string }) => simShellyCommand(options));

void runProgram(program);
