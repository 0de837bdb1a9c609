/**
 * Findings that look past one file's text: a password file's permissions,
 * how upsmon.conf fits ups.conf, upsd.conf and upsd.users, and the redaction
 * of secrets from every finding (the checks that run after the per-file ones).
 * Pure: no I/O.
 */
import type { UpsConf } from './ups-conf';
import { DEFAULT_UPSD_PORT, type UpsdConf } from './upsd-conf';
import { effectiveUpsmonRole, type UpsdUsers } from './upsd-users';
import { splitUpsSystem, type UpsmonConfParse } from './upsmon-conf';
import { collector, inLineOrder, isLoopbackAddress, isWildcardAddress, type NutConfFinding } from './validate-common';

// ---------------------------------------------------------------------------
// File permissions

/** A file that holds passwords must not be readable or writable by others; its group (nut) may read it. */
export function validateSecretFileMode(file: string, mode: number): NutConfFinding[] {
  const permissions = mode & 0o777;
  const shown = permissions.toString(8).padStart(4, '0');
  const fix = `run \`chmod 640 ${file}\` (owner root, group nut) or \`chmod 600 ${file}\``;
  const findings: NutConfFinding[] = [];
  if ((permissions & 0o006) !== 0) {
    findings.push({
      file, line: 0, severity: 'error',
      message: `this file holds passwords and every user of this machine can ${(permissions & 0o004) !== 0 ? 'read' : 'change'} it (mode ${shown}): ${fix}`,
    });
  } else if ((permissions & 0o020) !== 0) {
    findings.push({ file, line: 0, severity: 'warning', message: `this file holds passwords and its group can change it (mode ${shown}): ${fix}` });
  }
  return findings;
}

// ---------------------------------------------------------------------------
// Across files: what upsmon on this machine asks of the local upsd

export interface CrossFileInput {
  upsConf?: { file: string; config: UpsConf };
  upsdConf?: { file: string; config: UpsdConf };
  upsdUsers?: { file: string; config: UpsdUsers; passwords: ReadonlyMap<string, string> };
  upsmonConf?: { file: string; parse: UpsmonConfParse };
}

function listensFor(config: UpsdConf, port: number): boolean {
  // No LISTEN at all: upsd listens on 127.0.0.1 and ::1, port 3493.
  if (config.listen.length === 0) return port === DEFAULT_UPSD_PORT;
  return config.listen.some((listen) =>
    (isLoopbackAddress(listen.address) || isWildcardAddress(listen.address)) &&
    (listen.port === undefined ? DEFAULT_UPSD_PORT : Number(listen.port)) === port);
}

export function validateAcrossFiles(input: CrossFileInput): NutConfFinding[] {
  const { upsmonConf, upsConf, upsdConf, upsdUsers } = input;
  if (upsmonConf === undefined) return [];
  const { findings, emit } = collector(upsmonConf.file);
  upsmonConf.parse.config.monitors.forEach((monitor, index) => {
    if (monitor.fieldCount !== 5 || monitor.user === undefined) return;
    const system = splitUpsSystem(monitor.system);
    if ('problem' in system || !isLoopbackAddress(system.host)) return;
    const { line } = monitor;
    if (upsConf !== undefined && !upsConf.config.sections.some((s) => s.name.toLowerCase() === system.upsName.toLowerCase())) {
      const names = upsConf.config.sections.map((s) => s.name);
      emit(line, 'error', `MONITOR asks the local upsd for UPS \`${system.upsName}\`, but ups.conf has no \`[${system.upsName}]\` section: upsd answers UNKNOWN-UPS; ` +
        (names.length === 0 ? 'define the UPS in ups.conf' : `use one of: ${names.join(', ')}`));
    }
    const port = system.port ?? DEFAULT_UPSD_PORT;
    if (upsdConf !== undefined && !listensFor(upsdConf.config, port)) {
      emit(line, 'warning', `MONITOR connects to ${system.host} port ${port}, but upsd.conf has no LISTEN on a loopback (or wildcard) address with that port: add \`LISTEN 127.0.0.1 ${port}\``);
    }
    if (upsdUsers === undefined) return;
    const user = upsdUsers.config.users.find((u) => u.name === monitor.user);
    if (user === undefined) {
      emit(line, 'error', `MONITOR logs in as \`${monitor.user}\`, but upsd.users has no \`[${monitor.user}]\` section: upsd refuses the login; add the user or fix the name (names are case-sensitive)`);
      return;
    }
    const expected = upsdUsers.passwords.get(user.name);
    const given = upsmonConf.parse.monitorPasswords[index];
    if (expected !== undefined && given !== undefined && expected !== given) {
      emit(line, 'error', `the MONITOR password for \`${user.name}\` differs from the one in upsd.users line ${user.passwordLines[0] ?? user.line}: upsd refuses the login; make them the same`);
    }
    const granted = effectiveUpsmonRole(user);
    const wanted = monitor.role?.toLowerCase();
    const wantsPrimary = wanted === 'primary' || wanted === 'master';
    if (granted === undefined) {
      emit(line, 'error', `upsd.users gives \`${user.name}\` no upsmon role, so upsd refuses its LOGIN: add \`upsmon ${wantsPrimary ? 'primary' : 'secondary'}\` to its section (upsd.users line ${user.line})`);
    } else if (wantsPrimary && granted === 'secondary') {
      emit(line, 'error', `MONITOR uses \`${user.name}\` as primary, but upsd.users makes it \`upsmon secondary\`: upsd denies PRIMARY, so this machine cannot power the UPS off; make the user \`upsmon primary\` (upsd.users line ${user.line})`);
    }
  });
  return inLineOrder(findings);
}

// ---------------------------------------------------------------------------
// Secrets in messages

/** Replaces any known secret quoted in a message (`secret`) by `(hidden)`: a guard on top of messages that never quote one. */
export function redactSecrets(findings: readonly NutConfFinding[], secrets: Iterable<string>): NutConfFinding[] {
  const quoted = [...new Set(secrets)].filter((s) => s !== '').map((s) => `\`${s}\``);
  if (quoted.length === 0) return [...findings];
  return findings.map((finding) => {
    let message = finding.message;
    for (const secret of quoted) message = message.split(secret).join('`(hidden)`');
    return message === finding.message ? finding : { ...finding, message };
  });
}
