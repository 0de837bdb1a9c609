/**
 * Checks a NUT configuration folder (/etc/nut): reads whichever of ups.conf,
 * upsd.conf, upsd.users and upsmon.conf exist, validates each and the way
 * they fit together, and returns the findings with the parsed structures
 * (which hold no password) for commands that compare them to a live upsd.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { NutConfigError } from '../../errors';
import { parseUpsConf, type UpsConf, type UpsConfParse } from './ups-conf';
import { parseUpsdConf, type UpsdConf, type UpsdConfParse } from './upsd-conf';
import { parseUpsdUsers, type UpsdUsers, type UpsdUsersParse } from './upsd-users';
import { parseUpsmonConf, type UpsmonConf, type UpsmonConfParse } from './upsmon-conf';
import {
  type NutConfFinding, redactSecrets, validateAcrossFiles, validateSecretFileMode, validateUpsConf, validateUpsdConf,
  validateUpsdUsers, validateUpsmonConf,
} from './validate';

export const DEFAULT_NUT_CONF_DIR = '/etc/nut';
export const NUT_CONF_FILES = ['ups.conf', 'upsd.conf', 'upsd.users', 'upsmon.conf'] as const;
export type NutConfFileName = (typeof NUT_CONF_FILES)[number];

export interface NutConfFileStatus {
  name: NutConfFileName;
  path: string;
  present: boolean;
  /** Permission bits as `0640`, when the file exists. */
  mode?: string;
}

/** What the files say, without passwords. */
export interface ParsedNutConf {
  upsConf?: UpsConf;
  upsdConf?: UpsdConf;
  upsdUsers?: UpsdUsers;
  upsmonConf?: UpsmonConf;
}

export interface CheckReport {
  confDir: string;
  files: NutConfFileStatus[];
  /** Sorted by file, then line. */
  findings: NutConfFinding[];
  errors: number;
  warnings: number;
  parsed: ParsedNutConf;
}

/** `file:line: severity: message` (no `:line` for a finding about the whole file). */
export function formatFinding(finding: NutConfFinding): string {
  const where = finding.line > 0 ? `${finding.file}:${finding.line}` : finding.file;
  return `${where}: ${finding.severity}: ${finding.message}`;
}

export function sortFindings(findings: readonly NutConfFinding[]): NutConfFinding[] {
  // Array.prototype.sort is stable: findings on one line keep the order they were found in.
  return [...findings].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

/** A copy of `value` where any string equal to a known secret reads `(hidden)`: parsed values can hold a misplaced password. */
function hideSecretValues<T>(value: T, secrets: ReadonlySet<string>): T {
  if (typeof value === 'string') return (secrets.has(value) ? '(hidden)' : value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => hideSecretValues(item, secrets)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, hideSecretValues(item as unknown, secrets)])) as T;
  }
  return value;
}

const errorCode = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;

async function assertReadableDir(dir: string): Promise<void> {
  try {
    const stat = await fs.stat(dir);
    if (!stat.isDirectory()) throw new NutConfigError('is not a folder: give the folder that holds ups.conf and upsd.conf (usually /etc/nut)', dir);
    await fs.readdir(dir);
  } catch (error) {
    if (error instanceof NutConfigError) throw error;
    const code = errorCode(error);
    if (code === 'ENOENT') throw new NutConfigError('no such folder: give the folder that holds the NUT configuration (usually /etc/nut)', dir);
    if (code === 'EACCES' || code === 'EPERM') throw new NutConfigError('cannot read this folder (permission denied): run the check as root or as a member of group nut', dir);
    throw new NutConfigError(`cannot read this folder (${code ?? String(error)})`, dir);
  }
}

type FileRead = { status: NutConfFileStatus; text?: string; mode?: number; problem?: NutConfFinding };

async function readConfFile(dir: string, name: NutConfFileName): Promise<FileRead> {
  const filePath = path.join(dir, name);
  try {
    const stat = await fs.stat(filePath);
    const mode = stat.mode & 0o777;
    const status: NutConfFileStatus = { name, path: filePath, present: true, mode: mode.toString(8).padStart(4, '0') };
    try {
      return { status, text: await fs.readFile(filePath, 'utf8'), mode };
    } catch (error) {
      const code = errorCode(error);
      const reason = code === 'EACCES' || code === 'EPERM'
        ? 'cannot read this file (permission denied): run the check as root or as a member of group nut'
        : `cannot read this file (${code ?? String(error)})`;
      return { status, mode, problem: { file: filePath, line: 0, severity: 'error', message: reason } };
    }
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { status: { name, path: filePath, present: false } };
    throw new NutConfigError(`cannot look at this file (${errorCode(error) ?? String(error)})`, filePath);
  }
}

export async function checkNutConfDir(dir: string): Promise<CheckReport> {
  const confDir = path.resolve(dir);
  await assertReadableDir(confDir);
  const reads = await Promise.all(NUT_CONF_FILES.map((name) => readConfFile(confDir, name)));
  const findings: NutConfFinding[] = [];
  const secrets: string[] = [];
  const parsed: ParsedNutConf = {};
  const parses: { ups?: UpsConfParse; upsd?: UpsdConfParse; users?: UpsdUsersParse; upsmon?: UpsmonConfParse } = {};
  const fileOf = (name: NutConfFileName): string => path.join(confDir, name);

  for (const read of reads) {
    if (read.problem !== undefined) findings.push(read.problem);
    const { text, mode } = read;
    if (text === undefined) continue;
    const file = read.status.path;
    let holdsPasswords = false;
    switch (read.status.name) {
      case 'ups.conf': {
        const parse = (parses.ups = parseUpsConf(text));
        findings.push(...validateUpsConf(parse, file));
        secrets.push(...parse.secrets);
        holdsPasswords = parse.secrets.length > 0;
        parsed.upsConf = parse.config;
        break;
      }
      case 'upsd.conf': {
        const parse = (parses.upsd = parseUpsdConf(text));
        findings.push(...validateUpsdConf(parse, file));
        secrets.push(...parse.secrets);
        holdsPasswords = parse.secrets.length > 0;
        parsed.upsdConf = parse.config;
        break;
      }
      case 'upsd.users': {
        const parse = (parses.users = parseUpsdUsers(text));
        findings.push(...validateUpsdUsers(parse, file));
        secrets.push(...parse.passwords.values());
        holdsPasswords = true;
        parsed.upsdUsers = parse.config;
        break;
      }
      case 'upsmon.conf': {
        const parse = (parses.upsmon = parseUpsmonConf(text));
        findings.push(...validateUpsmonConf(parse, file));
        secrets.push(...parse.secrets);
        holdsPasswords = true;
        parsed.upsmonConf = parse.config;
        break;
      }
    }
    if (holdsPasswords && mode !== undefined) findings.push(...validateSecretFileMode(file, mode));
  }

  findings.push(...validateAcrossFiles({
    ...(parses.ups && { upsConf: { file: fileOf('ups.conf'), config: parses.ups.config } }),
    ...(parses.upsd && { upsdConf: { file: fileOf('upsd.conf'), config: parses.upsd.config } }),
    ...(parses.users && { upsdUsers: { file: fileOf('upsd.users'), config: parses.users.config, passwords: parses.users.passwords } }),
    ...(parses.upsmon && { upsmonConf: { file: fileOf('upsmon.conf'), parse: parses.upsmon } }),
  }));

  if (reads.every((read) => !read.status.present)) {
    findings.push({
      file: confDir, line: 0, severity: 'error',
      message: `none of ${NUT_CONF_FILES.join(', ')} is in this folder: give the folder that holds the NUT configuration (usually /etc/nut)`,
    });
  }

  const sorted = sortFindings(redactSecrets(findings, secrets));
  return {
    confDir,
    files: reads.map((read) => read.status),
    findings: sorted,
    errors: sorted.filter((f) => f.severity === 'error').length,
    warnings: sorted.filter((f) => f.severity === 'warning').length,
    parsed: hideSecretValues(parsed, new Set(secrets.filter((secret) => secret !== ''))),
  };
}
