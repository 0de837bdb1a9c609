import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { PACKAGE_ROOT } from '../../settings';
import { UsageError } from '../../src/errors';
import { installService, registerServiceCommand, renderUnit, UNIT_TEMPLATE } from '../../src/cli/service-command';
import { tempDir } from '../helpers/temp';

const unitPathIn = (root: string): string => path.join(root, 'etc', 'systemd', 'system', 'walnut.service');
const mode = (file: string): number => fs.statSync(file).mode & 0o777;

/** `walnut service install ARGS` through commander, with what it prints. */
async function cli(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const program = new Command('walnut').exitOverride();
  registerServiceCommand(program);
  let stdout = '';
  let stderr = '';
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => ((stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
  try {
    await program.parseAsync(['node', 'walnut', 'service', 'install', ...args]);
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
  return { stdout, stderr };
}

/** Lines of a unit's [Service] (and other) sections as key → values. */
function directives(unit: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of unit.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) map.set(match[1], [...(map.get(match[1]) ?? []), match[2]]);
  }
  return map;
}

describe('walnut service install', () => {
  it('writes the unit into --root with the package folder, node, user, key credential and hardening, and nothing left to fill', async () => {
    const root = tempDir();
    const { stdout } = await cli(['--root', root]);
    const unitPath = unitPathIn(root);
    assert.match(stdout, new RegExp(`^wrote ${unitPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`));

    const unit = fs.readFileSync(unitPath, 'utf8');
    assert.equal(mode(unitPath), 0o644);
    assert.doesNotMatch(unit, /@[A-Z_]+@/, 'no placeholder left');
    const d = directives(unit);
    assert.deepEqual(d.get('Type'), ['simple']);
    assert.deepEqual(d.get('User'), ['walnut']);
    assert.deepEqual(d.get('WorkingDirectory'), [PACKAGE_ROOT]);
    assert.deepEqual(d.get('ExecStart'), [`${process.execPath} ${PACKAGE_ROOT}/dist/src/hub/main.js`]);
    assert.deepEqual(d.get('LoadCredential'), ['walnut_db_key:/etc/walnut/db.key']);
    assert.deepEqual(d.get('Environment'), [
      'NODE_ENV=production WALNUT_DATA_DIR=/var/lib/walnut WALNUT_RULES_DIR=/etc/walnut/rules',
      'WALNUT_DB_KEY_FILE=%d/walnut_db_key',
    ]);
    for (const [key, value] of [
      ['Restart', 'on-failure'], ['After', 'network-online.target'], ['Wants', 'network-online.target'],
      ['StateDirectory', 'walnut'], ['WantedBy', 'multi-user.target'], ['TimeoutStopSec', '30'],
      ['NoNewPrivileges', 'yes'], ['ProtectSystem', 'strict'], ['ReadWritePaths', '/var/lib/walnut /etc/walnut/rules'],
      ['ProtectHome', 'yes'], ['PrivateTmp', 'yes'],
    ] as const) {
      assert.deepEqual(d.get(key), [value], key);
    }

    const configDir = path.join(root, 'etc', 'walnut');
    assert.equal(mode(configDir), 0o750);
    assert.ok(fs.statSync(path.join(configDir, 'rules')).isDirectory(), 'ReadWritePaths needs the rules folder to exist');
    assert.equal(fs.existsSync(path.join(configDir, 'db.key')), false, 'no key is generated');
    assert.deepEqual(fs.readdirSync(path.dirname(unitPath)), ['walnut.service'], 'no temp file left');

    // The key is missing: the commands that make one, and where an existing hub keeps its key.
    assert.match(stdout, /install -m 0600 \/dev\/null \/etc\/walnut\/db\.key/);
    assert.match(stdout, /openssl rand -hex 32 > \/etc\/walnut\/db\.key/);
    assert.match(stdout, /<data dir>\/walnut\.db\.key/);
    assert.match(stdout, /useradd --system .*walnut/);
    assert.match(stdout, /systemctl daemon-reload\n[\s\S]*systemctl enable --now walnut/);
  });

  it('leaves an identical unit alone, refuses a different one without --force, replaces it with --force', async () => {
    const root = tempDir();
    await cli(['--root', root]);
    const unitPath = unitPathIn(root);
    const first = fs.statSync(unitPath);

    const again = installService({ root });
    assert.equal(again.outcome, 'unchanged');
    assert.equal(fs.statSync(unitPath).ino, first.ino, 'not rewritten');
    assert.match((await cli(['--root', root])).stdout, /^unchanged: /);

    const edited = `${fs.readFileSync(unitPath, 'utf8')}# local edit\n`;
    fs.writeFileSync(unitPath, edited);
    await assert.rejects(cli(['--root', root]), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /exists and differs from the unit this install would write: see the new one with --dry-run, replace it with --force/);
      return true;
    });
    assert.throws(() => installService({ root, user: 'ups' }), /differs/, 'another user is another unit');
    assert.equal(fs.readFileSync(unitPath, 'utf8'), edited, 'the refused install changed nothing');

    const forced = installService({ root, force: true });
    assert.equal(forced.outcome, 'replaced');
    assert.equal(fs.readFileSync(unitPath, 'utf8'), forced.unit);
    assert.deepEqual(fs.readdirSync(path.dirname(unitPath)), ['walnut.service']);
  });

  it('--dry-run prints the unit and writes nothing', async () => {
    const root = tempDir();
    const { stdout, stderr } = await cli(['--root', root, '--dry-run', '--user', 'ups']);
    assert.equal(stdout, installService({ root, user: 'ups', dryRun: true }).unit);
    assert.match(stdout, /^User=ups$/m);
    assert.match(stdout, /^ExecStart=/m);
    assert.match(stderr, /dry run: nothing written/);
    assert.deepEqual(fs.readdirSync(root), [], 'no file and no folder');
  });

  it('does not ask for the key when it exists, nor for the user when --root has it', () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'etc', 'walnut'), { recursive: true, mode: 0o750 });
    fs.writeFileSync(path.join(root, 'etc', 'walnut', 'db.key'), 'x'.repeat(64), { mode: 0o600 });
    fs.writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nwalnut:x:998:997::/nonexistent:/usr/sbin/nologin\n');
    const { nextSteps } = installService({ root });
    const text = nextSteps.join('\n');
    assert.doesNotMatch(text, /openssl rand|useradd/);
    assert.match(text, /systemctl enable --now walnut/);
    if (process.getuid?.() === 0) {
      assert.equal(fs.statSync(path.join(root, 'etc', 'walnut')).gid, 997, 'root:walnut, so the service can reach its rules');
      assert.equal(fs.statSync(path.join(root, 'etc', 'walnut', 'rules')).uid, 998);
    } else {
      assert.match(text, /chown root:walnut \/etc\/walnut/);
    }
  });

  it('refuses paths and users that a unit file cannot carry, and warns about ProtectHome', () => {
    const template = fs.readFileSync(UNIT_TEMPLATE, 'utf8');
    const values = { installDir: '/opt/walnut', node: '/usr/bin/node', user: 'walnut' };
    assert.doesNotThrow(() => renderUnit(template, values));
    for (const installDir of ['/opt/wal nut', 'relative/dir', '/opt/100%', '/opt/$HOME', '/opt/"x"']) {
      assert.throws(() => renderUnit(template, { ...values, installDir }), /cannot be written into a systemd unit as is/, installDir);
    }
    for (const user of ['Walnut', 'wal nut', 'root;rm', '']) assert.throws(() => renderUnit(template, { ...values, user }), /not a valid user name/, user);
    assert.throws(() => renderUnit(`${template}X=@OTHER@\n`, values), /placeholder this version does not fill: @OTHER@/);

    const root = tempDir();
    const result = installService({ root, installDir: '/home/me/walnut', node: '/root/.nvm/versions/node/v20.19.0/bin/node', dryRun: true });
    assert.equal(result.warnings.filter((w) => /ProtectHome=yes hides/.test(w)).length, 2);
    assert.ok(result.warnings.some((w) => /npm ci && npm run build/.test(w)), 'the unbuilt folder is named');
  });

  it('writes a unit that systemd-analyze verify accepts (when systemd-analyze is installed)', function () {
    const root = tempDir();
    const { unitPath } = installService({ root });
    const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      // Only this assertion needs systemd; everything above already ran.
      this.skip();
    }
    const result = spawnSync('systemd-analyze', ['verify', '--man=no', unitPath], { encoding: 'utf8' });
    const ours = `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => line.includes('walnut.service'));
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(ours, [], 'no warning about the unit');
  });
});
