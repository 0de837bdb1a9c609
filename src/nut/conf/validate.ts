/**
 * Findings for parsed NUT configuration files: what NUT would reject, ignore
 * or do differently from what the file seems to say, each with the line and a
 * sentence that says what to change. Pure: no I/O (check.ts reads the files).
 * Messages name settings, users and UPSes but never echo a password; as a
 * second guard, redactSecrets() blanks any known secret quoted in a message.
 */
import * as net from 'node:net';
import type { ConfIssue, ConfSeverity } from './tokenizer';
import {
  COMMON_DRIVER_PARAMETERS, UPS_CONF_GLOBAL_KEYS, UPS_CONF_SECTION_KEYS, type UpsConf, type UpsConfParse, type UpsConfSetting,
} from './ups-conf';
import {
  DEFAULT_UPSD_PORT, parseNutBoolean, UPSD_CONF_DIRECTIVES, type UpsdConf, type UpsdConfParse, type UpsdDirective, type UpsdListen,
} from './upsd-conf';
import { effectiveUpsmonRole, UPSD_USER_ACTIONS, UPSD_USER_KEYS, UPSMON_ROLES, type UpsdUser, type UpsdUsers, type UpsdUsersParse } from './upsd-users';
import {
  DEFAULT_MINSUPPLIES, type MonitorEntry, splitUpsSystem, UPSMON_CONF_DIRECTIVES, UPSMON_NOTIFY_FLAGS, UPSMON_NOTIFY_TYPES,
  type UpsmonConfParse, type UpsmonDirective,
} from './upsmon-conf';

export type Severity = ConfSeverity;

export interface NutConfFinding {
  file: string;
  /** 1-based; 0 when the finding is about the file (or folder) as a whole. */
  line: number;
  severity: Severity;
  message: string;
}

type Emit = (line: number, severity: Severity, message: string) => void;

function collector(file: string): { findings: NutConfFinding[]; emit: Emit } {
  const findings: NutConfFinding[] = [];
  return { findings, emit: (line, severity, message) => findings.push({ file, line, severity, message }) };
}

/** In line order; findings on one line keep the order they were found in (the sort is stable). */
const inLineOrder = (findings: NutConfFinding[]): NutConfFinding[] => findings.sort((a, b) => a.line - b.line);

const fromIssues = (file: string, issues: readonly ConfIssue[]): NutConfFinding[] =>
  issues.map((issue) => ({ file, line: issue.line, severity: issue.severity, message: issue.message }));

// ---------------------------------------------------------------------------
// Shared helpers

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = previous[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(above + 1, (previous[j - 1] ?? 0) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length] ?? 0;
}

/** The known word closest to `word` (ignoring case) when it is close enough to be a typo. */
export function nearestKnown(word: string, known: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const allowed = lower.length <= 4 ? 1 : lower.length <= 8 ? 2 : 3;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** ` did you mean `x`?` (with a case note when only the case differs), or nothing. */
function suggestion(word: string, known: readonly string[], caseSensitive: boolean): string {
  const near = nearestKnown(word, known);
  if (near === undefined) return '';
  if (caseSensitive && near.toLowerCase() === word.toLowerCase()) return ` Did you mean \`${near}\`? Keywords are case-sensitive.`;
  return ` Did you mean \`${near}\`?`;
}

const isWholeNumber = (text: string): boolean => /^\d+$/.test(text);
const isInteger = (text: string): boolean => /^-?\d+$/.test(text);

const HOSTNAME = /^(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

export type AddressKind = 'ipv4' | 'ipv6' | 'hostname' | 'invalid';

export function classifyAddress(address: string): AddressKind {
  if (net.isIPv4(address)) return 'ipv4';
  if (net.isIPv6(address)) return 'ipv6';
  // All digits and dots but not an IPv4 address (300.1.1.1, 10.1): a typo, not a host name.
  if (/^[\d.]+$/.test(address)) return 'invalid';
  return HOSTNAME.test(address) ? 'hostname' : 'invalid';
}

export function isLoopbackAddress(address: string): boolean {
  const lower = address.toLowerCase();
  if (lower === 'localhost' || lower.endsWith('.localhost')) return true;
  if (net.isIPv4(lower)) return lower.startsWith('127.');
  if (net.isIPv6(lower)) return lower === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(lower) || /^::ffff:127\./.test(lower);
  return false;
}

const isWildcardAddress = (address: string): boolean => address === '0.0.0.0' || address === '::' || /^(0{1,4}:){7}0{1,4}$/.test(address);

const isValidPort = (text: string): boolean => isWholeNumber(text) && Number(text) >= 1 && Number(text) <= 65535;

// ---------------------------------------------------------------------------
// ups.conf

type UpsValueRule = 'text' | 'flag' | 'wholeNumber' | 'positiveNumber' | 'integer' | 'synchronous';

const UPS_CONF_VALUE_RULES: Readonly<Record<string, UpsValueRule>> = {
  driver: 'text', port: 'text', desc: 'text', chroot: 'text', driverpath: 'text', user: 'text', group: 'text', sdcommands: 'text',
  nolock: 'flag', ignorelb: 'flag', allow_killpower: 'flag', nowait: 'flag',
  sdorder: 'integer',
  maxretry: 'positiveNumber', pollinterval: 'positiveNumber',
  retrydelay: 'wholeNumber', maxstartdelay: 'wholeNumber', debug_min: 'wholeNumber', LIBUSB_DEBUG: 'wholeNumber',
  offdelay: 'wholeNumber', ondelay: 'wholeNumber', pollfreq: 'wholeNumber',
  synchronous: 'synchronous',
};

const SECTION_ONLY_KEYS = new Set<string>([
  ...UPS_CONF_SECTION_KEYS.filter((key) => !(UPS_CONF_GLOBAL_KEYS as readonly string[]).includes(key)),
  ...COMMON_DRIVER_PARAMETERS,
]);
const KNOWN_SECTION_KEYS: readonly string[] = [...UPS_CONF_SECTION_KEYS, ...COMMON_DRIVER_PARAMETERS];

function checkUpsValue(setting: UpsConfSetting, emit: Emit): void {
  const { key, value, line } = setting;
  const rule = UPS_CONF_VALUE_RULES[key];
  if (rule === undefined || setting.hidden) return;
  if (setting.isFlag || value === undefined) {
    if (rule !== 'flag') emit(line, 'error', `\`${key}\` needs a value: write \`${key} = value\``);
    return;
  }
  switch (rule) {
    case 'positiveNumber':
      if (!isWholeNumber(value) || Number(value) < 1) emit(line, 'error', `\`${key}\` must be a whole number of at least 1, not \`${value}\`: NUT rejects it`);
      return;
    case 'wholeNumber':
      if (!isWholeNumber(value)) emit(line, 'error', `\`${key}\` must be a whole number (0 or more), not \`${value}\`: NUT rejects or misreads it`);
      return;
    case 'integer':
      if (!isInteger(value)) emit(line, 'error', `\`${key}\` must be a whole number (negative means never), not \`${value}\``);
      return;
    case 'synchronous':
      if (!['yes', 'no', 'auto'].includes(value)) emit(line, 'error', `\`synchronous\` must be \`yes\`, \`no\` or \`auto\`, not \`${value}\`: NUT treats anything else as \`no\``);
      return;
    case 'text':
      if (value === '' && (key === 'driver' || key === 'port')) emit(line, 'error', `\`${key}\` is empty: write the ${key === 'driver' ? 'driver name' : 'device port (or `auto`)'} after \`=\``);
      return;
    case 'flag':
      return;
  }
}

function checkUpsGlobal(setting: UpsConfSetting, emit: Emit): void {
  const { key, line } = setting;
  if ((UPS_CONF_GLOBAL_KEYS as readonly string[]).includes(key)) return checkUpsValue(setting, emit);
  if (SECTION_ONLY_KEYS.has(key) || key.startsWith('override.') || key.startsWith('default.')) {
    emit(line, key === 'driver' || key === 'port' ? 'error' : 'warning',
      `\`${key}\` belongs to a UPS but comes before any \`[upsname]\` section, so NUT ignores it: move it under its UPS's header`);
    return;
  }
  emit(line, 'warning', `unknown global setting \`${key}\`: NUT ignores it.${suggestion(key, UPS_CONF_GLOBAL_KEYS, true)}`);
}

function checkUpsSectionSetting(sectionName: string, setting: UpsConfSetting, driver: string | undefined, emit: Emit): void {
  const { key, line } = setting;
  for (const prefix of ['override.', 'default.']) {
    if (!key.startsWith(prefix)) continue;
    if (key === prefix) emit(line, 'error', `\`${prefix}\` needs a variable name, e.g. \`${prefix}battery.charge.low = 30\``);
    else if (setting.isFlag) emit(line, 'error', `\`${key}\` needs a value: write \`${key} = value\``);
    return;
  }
  if (key === 'sddelay') {
    emit(line, 'warning', '`sddelay` is obsolete and NUT ignores it: set `offdelay` (for drivers that support it) instead');
    return;
  }
  if (!KNOWN_SECTION_KEYS.includes(key)) {
    const driverHint = driver === undefined ? 'its driver' : `\`${driver}\``;
    emit(line, 'warning', `\`${key}\` in \`[${sectionName}]\` is neither a ups.conf setting nor a parameter of a common driver.` +
      `${suggestion(key, KNOWN_SECTION_KEYS, true)} A driver refuses to start on a parameter it does not know: ` +
      `check the man page of ${driverHint}.`);
    return;
  }
  checkUpsValue(setting, emit);
}

const UPS_NAME = /^[A-Za-z0-9_.-]+$/;

export function validateUpsConf(parse: UpsConfParse, file = 'ups.conf'): NutConfFinding[] {
  const { findings, emit } = collector(file);
  findings.push(...fromIssues(file, parse.issues));
  const { config } = parse;
  for (const setting of config.globals) checkUpsGlobal(setting, emit);
  const seen = new Map<string, number>();
  for (const section of config.sections) {
    const previous = seen.get(section.name.toLowerCase());
    if (previous !== undefined) {
      emit(section.line, 'error', `UPS \`${section.name}\` is already defined at line ${previous}: NUT mixes the settings of both sections; rename or merge them`);
    } else {
      seen.set(section.name.toLowerCase(), section.line);
    }
    if (section.name !== '' && !UPS_NAME.test(section.name)) {
      emit(section.line, 'warning', `UPS name \`${section.name}\` has characters other than letters, digits, \`_\`, \`-\` and \`.\`: clients address it as \`name@host:port\`, so rename it`);
    }
    if (section.driver === undefined && !section.settings.some((s) => s.key === 'driver')) {
      emit(section.line, 'error', `UPS \`${section.name}\` has no \`driver\`: add e.g. \`driver = usbhid-ups\` (upsd ignores a UPS without one)`);
    }
    if (section.port === undefined && !section.settings.some((s) => s.key === 'port')) {
      emit(section.line, 'error', `UPS \`${section.name}\` has no \`port\`: add e.g. \`port = auto\` for USB (upsd ignores a UPS without one)`);
    }
    const firstLineOfKey = new Map<string, number>();
    for (const setting of section.settings) {
      checkUpsSectionSetting(section.name, setting, section.driver, emit);
      const first = firstLineOfKey.get(setting.key);
      if (first === undefined) firstLineOfKey.set(setting.key, setting.line);
      else emit(setting.line, 'warning', `\`${setting.key}\` is set again in \`[${section.name}]\` (first at line ${first}): NUT uses this later value; remove one of them`);
    }
  }
  return inLineOrder(findings);
}

// ---------------------------------------------------------------------------
// upsd.conf

function checkListen(listen: UpsdListen, emit: Emit): void {
  const { address, port, line } = listen;
  if (address.startsWith('[') && address.endsWith(']')) {
    emit(line, 'error', `LISTEN \`${address}\`: write IPv6 addresses without brackets in upsd.conf (e.g. \`LISTEN ::1 3493\`)`);
    return;
  }
  const kind = classifyAddress(address);
  if (kind === 'invalid') {
    emit(line, 'error', `LISTEN \`${address}\` is not an IPv4 or IPv6 address or a host name: upsd cannot listen on it`);
  }
  if (port !== undefined && !isValidPort(port)) {
    emit(line, 'error', `LISTEN port \`${port}\` is not a number from 1 to 65535: write e.g. \`LISTEN ${address} ${DEFAULT_UPSD_PORT}\``);
  }
  if (kind === 'invalid' || isLoopbackAddress(address)) return;
  if (isWildcardAddress(address)) {
    emit(line, 'warning', `LISTEN \`${address}\` makes upsd reachable on every network interface: listen on loopback or one LAN address, and let a firewall limit port ${port ?? DEFAULT_UPSD_PORT} to the machines that monitor this UPS`);
  } else {
    emit(line, 'warning', `LISTEN \`${address}\` makes upsd reachable from the network: make sure a firewall limits port ${port ?? DEFAULT_UPSD_PORT} to the machines that monitor this UPS`);
  }
}

function checkUpsdDirective(directive: UpsdDirective, emit: Emit): void {
  const { keyword, args, argCount, line } = directive;
  const spec = UPSD_CONF_DIRECTIVES[keyword];
  if (spec === undefined) {
    const known = Object.keys(UPSD_CONF_DIRECTIVES);
    if (keyword.startsWith('[')) emit(line, 'error', 'upsd.conf has no sections: UPS sections belong in ups.conf, user sections in upsd.users');
    else emit(line, 'warning', `unknown directive \`${keyword}\`: upsd ignores this line.${suggestion(keyword, known, true)}`);
    return;
  }
  if (args[0] === '=') {
    emit(line, 'error', `upsd.conf takes no \`=\`: write \`${keyword} value\` (upsd does not understand this line)`);
    return;
  }
  if (spec.kind === 'obsolete') {
    emit(line, 'warning', `\`${keyword}\` was removed in NUT 2.4 and upsd ignores it: choose addresses with LISTEN and restrict clients with a firewall`);
    return;
  }
  if (argCount < spec.minArgs) {
    emit(line, 'error', keyword === 'CERTIDENT'
      ? '`CERTIDENT` needs a certificate name and its database password: write `CERTIDENT name password`'
      : `\`${keyword}\` needs a value: upsd ignores this line`);
    return;
  }
  if (argCount > spec.maxArgs) {
    emit(line, 'warning', `\`${keyword}\` takes ${spec.maxArgs === 1 ? 'one value' : `at most ${spec.maxArgs} values`}: upsd ignores the extra words; quote a path that contains spaces`);
  }
  const [value = ''] = args;
  switch (spec.kind) {
    case 'integer':
      if (!isWholeNumber(value)) emit(line, 'error', `\`${keyword}\` must be a whole number, not \`${value}\`: upsd ignores this line and keeps its default`);
      return;
    case 'boolean':
      if (parseNutBoolean(value) === undefined) emit(line, 'error', `\`${keyword}\` must be \`yes\`/\`no\` (or \`true\`/\`false\`, \`on\`/\`off\`, a number), not \`${value}\``);
      return;
    case 'certrequest':
      if (!['0', '1', '2'].includes(value)) emit(line, 'error', `\`CERTREQUEST\` must be 0 (no client certificate), 1 (request) or 2 (require), not \`${value}\``);
      return;
    default:
      return;
  }
}

const SINGLE_VALUED_UPSD = new Set(Object.keys(UPSD_CONF_DIRECTIVES).filter((k) => k !== 'LISTEN' && UPSD_CONF_DIRECTIVES[k]?.kind !== 'obsolete'));

export function validateUpsdConf(parse: UpsdConfParse, file = 'upsd.conf'): NutConfFinding[] {
  const { findings, emit } = collector(file);
  findings.push(...fromIssues(file, parse.issues));
  const firstLine = new Map<string, number>();
  for (const directive of parse.config.directives) {
    checkUpsdDirective(directive, emit);
    if (!SINGLE_VALUED_UPSD.has(directive.keyword)) continue;
    const first = firstLine.get(directive.keyword);
    if (first === undefined) firstLine.set(directive.keyword, directive.line);
    else emit(directive.line, 'warning', `\`${directive.keyword}\` is set again (first at line ${first}): upsd uses this later value; remove one of them`);
  }
  const listenSeen = new Map<string, number>();
  for (const listen of parse.config.listen) {
    checkListen(listen, emit);
    const key = `${listen.address.toLowerCase()} ${listen.port ?? DEFAULT_UPSD_PORT}`;
    const first = listenSeen.get(key);
    if (first === undefined) listenSeen.set(key, listen.line);
    else emit(listen.line, 'warning', `the same LISTEN address and port as line ${first}: upsd cannot bind it twice; remove this line`);
  }
  return inLineOrder(findings);
}

// ---------------------------------------------------------------------------
// upsd.users

function checkUser(user: UpsdUser, emit: Emit): void {
  const name = `\`${user.name}\``;
  const [firstPasswordLine, secondPasswordLine] = user.passwordLines;
  if (firstPasswordLine === undefined) {
    emit(user.line, 'error', `user ${name} has no password, so upsd refuses every login with it: add \`password = …\` to its section`);
  } else if (user.emptyPassword) {
    emit(firstPasswordLine, 'error', `user ${name} has an empty password: set a real one (and the same in upsmon.conf)`);
  } else if (user.passwordWordCount > 1) {
    emit(firstPasswordLine, 'error', `the password of user ${name} is several words and upsd keeps only the first: put the whole password in quotes`);
  }
  if (secondPasswordLine !== undefined) {
    emit(secondPasswordLine, 'warning', `user ${name} already has a password (line ${firstPasswordLine}): upsd keeps the first and ignores this one; remove one of them`);
  }
  for (const { value, line } of user.actions) {
    if ((UPSD_USER_ACTIONS as readonly string[]).includes(value.toUpperCase())) continue;
    emit(line, 'warning', `unknown action \`${value}\` for user ${name}: upsd knows \`SET\` and \`FSD\`.${suggestion(value, UPSD_USER_ACTIONS, false)}`);
  }
  for (const { value, line } of user.upsmon) {
    if ((UPSMON_ROLES as readonly string[]).includes(value.toLowerCase())) continue;
    emit(line, 'error', `unknown upsmon role \`${value}\` for user ${name}: write \`upsmon primary\` (the machine that powers the UPS off) or \`upsmon secondary\`; upsd grants nothing for this line`);
  }
  for (const { key, line } of user.otherSettings) {
    if (key.toLowerCase() === 'allowfrom') {
      emit(line, 'warning', '`allowfrom` is no longer used and upsd ignores it: restrict clients with LISTEN and a firewall');
    } else {
      emit(line, 'warning', `unknown setting \`${key}\` for user ${name}: upsd ignores it.${suggestion(key, UPSD_USER_KEYS, false)}`);
    }
  }
  if (effectiveUpsmonRole(user) === undefined && user.actions.length === 0 && user.instcmds.length === 0) {
    emit(user.line, 'warning', `user ${name} can do nothing: it has no \`upsmon\` role, \`actions\` or \`instcmds\`; add \`upsmon primary\` or \`upsmon secondary\` for upsmon, or actions/instcmds for an admin`);
  }
}

export function validateUpsdUsers(parse: UpsdUsersParse, file = 'upsd.users'): NutConfFinding[] {
  const { findings, emit } = collector(file);
  findings.push(...fromIssues(file, parse.issues));
  for (const user of parse.config.users) checkUser(user, emit);
  if (parse.config.users.length === 0) {
    emit(0, 'warning', 'upsd.users defines no `[user]`: no client can log in (upsmon needs a user with `upsmon primary` or `upsmon secondary`)');
  }
  return inLineOrder(findings);
}

// ---------------------------------------------------------------------------
// upsmon.conf

const MONITOR_FORM = '`MONITOR upsname@host powervalue username password primary|secondary`';

function checkMonitor(monitor: MonitorEntry, emit: Emit): void {
  const { line } = monitor;
  if (monitor.fieldCount !== 5) {
    emit(line, 'error', `MONITOR needs exactly 5 fields after the keyword, as in ${MONITOR_FORM}, but this line has ${monitor.fieldCount}` +
      (monitor.fieldCount > 5 ? ': put a password that contains spaces in quotes' : ': upsmon ignores the line or refuses to start'));
    return;
  }
  const system = splitUpsSystem(monitor.system);
  if ('problem' in system) {
    emit(line, 'error', `MONITOR \`${monitor.system}\` ${system.problem}`);
  } else if (classifyAddress(system.host) === 'invalid') {
    emit(line, 'error', `MONITOR \`${monitor.system}\`: \`${system.host}\` is not an IPv4 or IPv6 address or a host name`);
  }
  if (monitor.powerValue === undefined || !isWholeNumber(monitor.powerValue)) {
    emit(line, 'error', 'the MONITOR power value (second field) must be a whole number: 1 for a UPS that powers this machine, 0 to watch it only');
  }
  if (monitor.user === '') emit(line, 'error', 'the MONITOR user name (third field) is empty: use a user from upsd.users');
  if (!monitor.hasPassword) emit(line, 'error', 'the MONITOR password (fourth field) is empty: use the password of the user in upsd.users');
  if (monitor.role === undefined || !(UPSMON_ROLES as readonly string[]).includes(monitor.role.toLowerCase())) {
    emit(line, 'error', 'the last MONITOR field must be `primary` or `secondary` (old names: `master`, `slave`): upsmon takes anything else as secondary, so it would never power this UPS off');
  }
}

function checkUpsmonDirective(directive: UpsmonDirective, emit: Emit): void {
  const { keyword, args, argCount, line } = directive;
  const spec = UPSMON_CONF_DIRECTIVES[keyword] ?? (keyword.toUpperCase() === 'DEBUG_MIN' ? UPSMON_CONF_DIRECTIVES.DEBUG_MIN : undefined);
  if (spec === undefined) {
    emit(line, 'warning', `unknown directive \`${keyword}\`: upsmon ignores this line.${suggestion(keyword, Object.keys(UPSMON_CONF_DIRECTIVES), true)}`);
    return;
  }
  if (spec.kind === 'monitor') return;
  if (args[0] === '=') {
    emit(line, 'error', `upsmon.conf takes no \`=\`: write \`${keyword} value\` (upsmon ignores this line)`);
    return;
  }
  if (argCount < spec.minArgs) {
    emit(line, 'error', `\`${keyword}\` needs ${spec.minArgs === 1 ? 'a value' : `${spec.minArgs} values`}: upsmon ignores this line`);
    return;
  }
  if (argCount > spec.maxArgs) {
    emit(line, 'warning', `\`${keyword}\` takes ${spec.maxArgs === 1 ? 'one value' : `${spec.maxArgs} values`}: upsmon ignores the extra words; quote a command or message that contains spaces`);
  }
  const [first = '', second = ''] = args;
  switch (spec.kind) {
    case 'integer':
      if (!isWholeNumber(first)) emit(line, 'error', `\`${keyword}\` must be a whole number, not \`${first}\`: upsmon reads anything else as 0 or ignores it`);
      return;
    case 'boolean-or-integer':
      if (parseNutBoolean(first) === undefined) emit(line, 'error', `\`${keyword}\` must be yes/no or a number of seconds, not \`${first}\``);
      return;
    case 'notifymsg':
    case 'notifyflag': {
      if (!(UPSMON_NOTIFY_TYPES as readonly string[]).includes(first.toUpperCase())) {
        emit(line, 'warning', `unknown notification type \`${first}\`: upsmon ignores this line.${suggestion(first, UPSMON_NOTIFY_TYPES, false)}`);
      }
      if (spec.kind === 'notifyflag') {
        for (const flag of second.split('+')) {
          if ((UPSMON_NOTIFY_FLAGS as readonly string[]).includes(flag)) continue;
          emit(line, 'warning', `unknown notify flag \`${flag}\`: use SYSLOG, WALL, EXEC or IGNORE joined with \`+\` (e.g. \`SYSLOG+EXEC\`).${suggestion(flag, UPSMON_NOTIFY_FLAGS, true)}`);
        }
      }
      return;
    }
    case 'certhost':
      if (!['0', '1'].includes(args[2] ?? '') || !['0', '1'].includes(args[3] ?? '')) {
        emit(line, 'error', '`CERTHOST` takes a host, a certificate name, then 0 or 1 (verify certificate) and 0 or 1 (force TLS)');
      }
      return;
    default:
      return;
  }
}

export function validateUpsmonConf(parse: UpsmonConfParse, file = 'upsmon.conf'): NutConfFinding[] {
  const { findings, emit } = collector(file);
  findings.push(...fromIssues(file, parse.issues));
  const { config } = parse;
  for (const directive of config.directives) checkUpsmonDirective(directive, emit);
  const systems = new Map<string, number>();
  let totalPowerValue = 0;
  for (const monitor of config.monitors) {
    checkMonitor(monitor, emit);
    if (monitor.fieldCount !== 5) continue;
    const first = systems.get(monitor.system);
    if (first !== undefined) {
      emit(monitor.line, 'warning', `\`${monitor.system}\` is already monitored at line ${first}: upsmon ignores this line`);
      continue;
    }
    systems.set(monitor.system, monitor.line);
    if (monitor.powerValue !== undefined && isWholeNumber(monitor.powerValue)) totalPowerValue += Number(monitor.powerValue);
  }
  if (config.monitors.length === 0) {
    emit(0, 'warning', 'upsmon.conf has no MONITOR line: upsmon watches no UPS and will never shut this machine down');
    return inLineOrder(findings);
  }
  const minSupplies = config.minSupplies ?? DEFAULT_MINSUPPLIES;
  if (totalPowerValue < minSupplies) {
    const minLine = config.directives.find((d) => d.keyword === 'MINSUPPLIES')?.line ?? config.monitors[0]?.line ?? 0;
    emit(minLine, 'error', `the MONITOR power values add up to ${totalPowerValue}, less than MINSUPPLIES (${minSupplies}): upsmon refuses to start; raise a power value or lower MINSUPPLIES`);
  }
  if (config.shutdownCmd === undefined && totalPowerValue > 0) {
    emit(0, 'warning', 'upsmon.conf has no SHUTDOWNCMD: upsmon cannot shut this machine down; add e.g. `SHUTDOWNCMD "/sbin/shutdown -h +0"`');
  }
  return inLineOrder(findings);
}

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
