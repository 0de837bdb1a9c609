/** `walnut service install`: the systemd unit that starts the hub on boot. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { PACKAGE_ROOT } from '../../settings';
import { writeFileAtomically } from '../atomic-file';
import { UsageError, WalnutError } from '../errors';
import { println } from './common';

export const UNIT_NAME = 'walnut.service';
export const UNIT_TEMPLATE = path.join(PACKAGE_ROOT, 'deploy', UNIT_NAME);

/** Paths as the unit names them on the target system (under --root when installing into an image). */
const TARGET = {
  unit: `/etc/systemd/system/${UNIT_NAME}`,
  configDir: '/etc/walnut',
  rulesDir: '/etc/walnut/rules',
  key: '/etc/walnut/db.key',
  dataDir: '/var/lib/walnut',
} as const;

// Characters that need no quoting or escaping anywhere in a unit file (no spaces, quotes, '%', '$', '\', '@').
const SAFE_PATH = /^\/[A-Za-z0-9._/+,~-]*$/;
// useradd's default NAME_REGEX.
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
// ProtectHome=yes hides these from the service.
const HIDDEN_BY_PROTECT_HOME = ['/home', '/root', '/run/user'];

export interface UnitValues {
  installDir: string;
  node: string;
  user: string;
}

export interface ServiceInstallOptions {
  root?: string;
  user?: string;
  dryRun?: boolean;
  force?: boolean;
  /** The package folder and the node binary; PACKAGE_ROOT and process.execPath unless given (tests). */
  installDir?: string;
  node?: string;
  /** The unit template; deploy/walnut.service of the package unless given. */
  template?: string;
}

export interface ServiceInstallResult {
  unitPath: string;
  unit: string;
  outcome: 'written' | 'replaced' | 'unchanged' | 'dry-run';
  /** What to do next, one command or sentence a line. */
  nextSteps: string[];
  warnings: string[];
}

function assertSafePath(what: string, value: string): void {
  if (!path.isAbsolute(value) || !SAFE_PATH.test(value)) {
    throw new UsageError(
      `${what} "${value}" cannot be written into a systemd unit as is: use an absolute path of letters, digits and . _ / + , ~ - ` +
        '(no spaces, quotes, %, $ or @), such as /opt/walnut',
    );
  }
}

/** The unit with its placeholders filled; refuses values that would need escaping, and any placeholder left over. */
export function renderUnit(template: string, values: UnitValues): string {
  assertSafePath('the install folder', values.installDir);
  assertSafePath('the node binary', values.node);
  if (!USER_NAME.test(values.user)) throw new UsageError(`"${values.user}" is not a valid user name for the service (lower-case letters, digits, '_' or '-', at most 32)`);
  const unit = template.replaceAll('@INSTALL_DIR@', values.installDir).replaceAll('@NODE@', values.node).replaceAll('@USER@', values.user);
  const left = /@[A-Z_]+@/.exec(unit);
  if (left) throw new WalnutError('SERVICE_TEMPLATE', `the unit template has a placeholder this version does not fill: ${left[0]}`);
  return unit;
}

function readTemplate(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new WalnutError('SERVICE_TEMPLATE', `cannot read the unit template ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}): is the deploy/ folder part of this install?`);
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Creates a folder with exactly `mode` (umask aside); true when it was created now. */
function ensureDir(dir: string, mode: number): boolean {
  if (fs.existsSync(dir)) return false;
  fs.mkdirSync(dir, { recursive: true, mode });
  fs.chmodSync(dir, mode);
  return true;
}

/** uid and gid of `user` in `<root>/etc/passwd`, if it has an entry there. */
function lookupUser(root: string, user: string): { uid: number; gid: number } | undefined {
  const passwd = readIfExists(path.join(root, 'etc', 'passwd'));
  for (const line of passwd?.split('\n') ?? []) {
    const [name, , uid, gid] = line.split(':');
    if (name === user && uid !== undefined && gid !== undefined && /^\d+$/.test(uid) && /^\d+$/.test(gid)) return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

const under = (file: string, folder: string): boolean => file === folder || file.startsWith(`${folder}/`);

/**
 * Renders the unit and, unless it is a dry run, writes it to
 * `<root>/etc/systemd/system/walnut.service` and makes `<root>/etc/walnut` (0750)
 * and its `rules/`. A different unit already there is kept unless `force`.
 * Never makes a key: it says how to.
 */
export function installService(options: ServiceInstallOptions = {}): ServiceInstallResult {
  const root = path.resolve(options.root ?? '/');
  const user = options.user ?? 'walnut';
  const installDir = path.resolve(options.installDir ?? PACKAGE_ROOT);
  const node = options.node ?? process.execPath;
  const unit = renderUnit(readTemplate(options.template ?? UNIT_TEMPLATE), { installDir, node, user });
  const at = (target: string): string => path.join(root, target);
  const unitPath = at(TARGET.unit);

  const warnings: string[] = [];
  for (const [what, value] of [['the install folder', installDir], ['the node binary', node]] as const) {
    const hidden = HIDDEN_BY_PROTECT_HOME.find((folder) => under(value, folder));
    if (hidden) warnings.push(`${what} ${value} is under ${hidden}, which ProtectHome=yes hides from the service: install walNUT and Node.js elsewhere (e.g. /opt/walnut and /usr/bin/node)`);
  }
  if (!fs.existsSync(path.join(installDir, 'dist', 'src', 'hub', 'main.js'))) {
    warnings.push(`${installDir}/dist/src/hub/main.js does not exist yet: run "npm ci && npm run build" in ${installDir} before starting the service`);
  }

  if (options.dryRun) return { unitPath, unit, outcome: 'dry-run', nextSteps: [], warnings };

  const existing = readIfExists(unitPath);
  if (existing !== undefined && existing !== unit && !options.force) {
    throw new UsageError(`${unitPath} exists and differs from the unit this install would write: see the new one with --dry-run, replace it with --force`);
  }
  let outcome: ServiceInstallResult['outcome'] = 'unchanged';
  if (existing !== unit) {
    ensureDir(path.dirname(unitPath), 0o755);
    writeFileAtomically(unitPath, unit, 0o644);
    outcome = existing === undefined ? 'written' : 'replaced';
  }

  ensureDir(at(TARGET.configDir), 0o750);
  ensureDir(at(TARGET.rulesDir), 0o750);

  const nextSteps: string[] = [];
  const account = lookupUser(root, user);
  if (!account) nextSteps.push(`useradd --system --user-group --no-create-home --shell /usr/sbin/nologin ${user}`);
  // The service user reads the rules through /etc/walnut; the key stays root's (systemd reads it for the service).
  const owned = account !== undefined && process.getuid?.() === 0;
  if (owned) {
    fs.chownSync(at(TARGET.configDir), 0, account.gid);
    fs.chownSync(at(TARGET.rulesDir), account.uid, account.gid);
  } else {
    nextSteps.push(`chown root:${user} ${TARGET.configDir} && chown -R ${user}:${user} ${TARGET.rulesDir}`);
  }
  if (!fs.existsSync(at(TARGET.key))) {
    nextSteps.push(
      `# the master key (32+ characters) that opens the database; the service gets it through LoadCredential. A new one:`,
      `install -m 0600 /dev/null ${TARGET.key}`,
      `openssl rand -hex 32 > ${TARGET.key}`,
      `# or, to move an existing hub here, its key: the file named by WALNUT_DB_KEY_FILE, or <data dir>/walnut.db.key ` +
        `(copy it to ${TARGET.key} with mode 0600, and its data folder to ${TARGET.dataDir}, owned by ${user}, mode 0700)`,
    );
  }
  nextSteps.push(
    `# policies and targets go in ${TARGET.rulesDir} (examples: ${installDir}/rules/*.yaml)`,
    'systemctl daemon-reload',
    'systemctl enable --now walnut',
    'journalctl -u walnut -f    # until "walNUT hub ready"',
  );
  return { unitPath, unit, outcome, nextSteps, warnings };
}

const OUTCOME_TEXT: Record<Exclude<ServiceInstallResult['outcome'], 'dry-run'>, string> = {
  written: 'wrote',
  replaced: 'replaced',
  unchanged: 'unchanged:',
};

export function serviceInstallCommand(options: ServiceInstallOptions): void {
  const result = installService(options);
  for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
  if (result.outcome === 'dry-run') {
    process.stdout.write(result.unit);
    process.stderr.write(`(dry run: nothing written; this unit would go to ${result.unitPath})\n`);
    return;
  }
  println(`${OUTCOME_TEXT[result.outcome]} ${result.unitPath}`);
  println('next, as root:');
  for (const step of result.nextSteps) println(`  ${step}`);
}

export function registerServiceCommand(program: Command): void {
  const service = program.command('service').description('run the hub as a systemd service');

  service
    .command('install')
    .description(`write the systemd unit (${TARGET.unit}) that starts this hub on boot, and ${TARGET.configDir}/; prints the remaining steps`)
    .option('--root <dir>', 'install under this root folder (an image or chroot)', '/')
    .option('--user <name>', 'the account the service runs as', 'walnut')
    .option('--dry-run', 'print the unit, write nothing')
    .option('--force', 'replace an existing unit that differs')
    .action((options: { root?: string; user?: string; dryRun?: boolean; force?: boolean }) => serviceInstallCommand(options));
}
