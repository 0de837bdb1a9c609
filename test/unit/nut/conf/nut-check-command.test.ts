import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nutCheckCommand } from '../../../../src/cli/nut-check-command';
import { NutConfigError } from '../../../../src/errors';
import { tempDir } from '../../../helpers/temp';

/** Runs the command with stdout captured; restores stdout and the exit code whatever happens. */
async function run(options: { confDir?: string; json?: boolean }): Promise<{ out: string; exitCode: typeof process.exitCode }> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const previousExitCode = process.exitCode;
  process.exitCode = undefined;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  try {
    await nutCheckCommand(options);
    return { out: chunks.join(''), exitCode: process.exitCode };
  } finally {
    process.stdout.write = write;
    process.exitCode = previousExitCode;
  }
}

function confDir(files: Record<string, string>): string {
  const dir = tempDir('walnut-nutcheck-');
  for (const [name, text] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), text);
    fs.chmodSync(path.join(dir, name), 0o600);
  }
  return dir;
}

describe('walnut nut check command', () => {
  it('prints one line per finding, the files not present, and a summary; exit code 1 on an error', async () => {
    const dir = confDir({ 'ups.conf': '[rack]\nport = auto\ndrvier = usbhid-ups\n', 'upsd.conf': 'LISTEN 0.0.0.0\n' });
    const { out, exitCode } = await run({ confDir: dir });
    assert.equal(exitCode, 1);
    assert.deepEqual(out.trimEnd().split('\n'), [
      `${dir}/ups.conf:1: error: UPS \`rack\` has no \`driver\`: add e.g. \`driver = usbhid-ups\` (upsd ignores a UPS without one)`,
      `${dir}/ups.conf:3: warning: \`drvier\` in \`[rack]\` is neither a ups.conf setting nor a parameter of a common driver. Did you mean \`driver\`? A driver refuses to start on a parameter it does not know: check the man page of its driver.`,
      `${dir}/upsd.conf:1: warning: LISTEN \`0.0.0.0\` makes upsd reachable on every network interface: listen on loopback or one LAN address, and let a firewall limit port 3493 to the machines that monitor this UPS`,
      'not present (not checked): upsd.users, upsmon.conf',
      `${dir}: checked ups.conf, upsd.conf: 1 error, 2 warnings`,
    ]);
  });

  it('leaves the exit code alone with warnings only', async () => {
    const { out, exitCode } = await run({ confDir: confDir({ 'upsd.conf': 'LISTEN 0.0.0.0\n' }) });
    assert.equal(exitCode, undefined);
    assert.match(out, /: checked upsd\.conf: 0 errors, 1 warning\n$/);
  });

  it('prints { confDir, files, findings, errors, warnings } with --json', async () => {
    const dir = confDir({ 'upsd.users': '[mon]\nupsmon primary\n' });
    const { out, exitCode } = await run({ confDir: dir, json: true });
    assert.equal(exitCode, 1);
    const parsed = JSON.parse(out) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed), ['confDir', 'files', 'findings', 'errors', 'warnings']);
    assert.equal(parsed.confDir, dir);
    assert.deepEqual(parsed.findings, [
      { file: path.join(dir, 'upsd.users'), line: 1, severity: 'error', message: 'user `mon` has no password, so upsd refuses every login with it: add `password = …` to its section' },
    ]);
    assert.deepEqual([parsed.errors, parsed.warnings], [1, 0]);
    assert.deepEqual((parsed.files as Array<{ name: string; present: boolean }>).map((f) => [f.name, f.present]),
      [['ups.conf', false], ['upsd.conf', false], ['upsd.users', true], ['upsmon.conf', false]]);
  });

  it('throws NutConfigError for a folder it cannot read', async () => {
    await assert.rejects(run({ confDir: path.join(tempDir('walnut-nutcheck-'), 'missing') }), NutConfigError);
  });
});
