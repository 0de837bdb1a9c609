/**
 * upsmon.conf: `KEYWORD arg…` directives (no `=`, keywords case-sensitive),
 * read as clients/upsmon.c does. MONITOR lines are split into their fields;
 * their passwords (and CERTIDENT's) are kept out of the structure and
 * returned apart for the cross-check against upsd.users.
 */
import { type ConfIssue, tokenizeNutConf } from './tokenizer';

export type UpsmonValueKind = 'integer' | 'text' | 'boolean-or-integer' | 'monitor' | 'notifymsg' | 'notifyflag' | 'certident' | 'certhost';

export interface UpsmonDirectiveSpec {
  kind: UpsmonValueKind;
  minArgs: number;
  maxArgs: number;
}

const integer: UpsmonDirectiveSpec = { kind: 'integer', minArgs: 1, maxArgs: 1 };
const text: UpsmonDirectiveSpec = { kind: 'text', minArgs: 1, maxArgs: 1 };

export const UPSMON_CONF_DIRECTIVES: Readonly<Record<string, UpsmonDirectiveSpec>> = {
  MONITOR: { kind: 'monitor', minArgs: 5, maxArgs: 5 },
  MINSUPPLIES: integer,
  POLLFREQ: integer,
  POLLFREQALERT: integer,
  POLLFAIL_LOG_THROTTLE_MAX: integer,
  DEADTIME: integer,
  HOSTSYNC: integer,
  FINALDELAY: integer,
  NOCOMMWARNTIME: integer,
  RBWARNTIME: integer,
  OFFDURATION: integer,
  OBLBDURATION: integer,
  OVERDURATION: integer,
  CERTVERIFY: integer,
  FORCESSL: integer,
  DEBUG_MIN: integer,
  SHUTDOWNEXIT: { kind: 'boolean-or-integer', minArgs: 1, maxArgs: 1 },
  SHUTDOWNCMD: text,
  NOTIFYCMD: text,
  POWERDOWNFLAG: text,
  RUN_AS_USER: text,
  CERTPATH: text,
  NOTIFYMSG: { kind: 'notifymsg', minArgs: 2, maxArgs: 2 },
  NOTIFYFLAG: { kind: 'notifyflag', minArgs: 2, maxArgs: 2 },
  CERTIDENT: { kind: 'certident', minArgs: 2, maxArgs: 2 },
  CERTHOST: { kind: 'certhost', minArgs: 4, maxArgs: 4 },
};

/** Notification types (case-insensitive in upsmon); the second line came with NUT 2.8. */
export const UPSMON_NOTIFY_TYPES = [
  'ONLINE', 'ONBATT', 'LOWBATT', 'FSD', 'COMMOK', 'COMMBAD', 'SHUTDOWN', 'REPLBATT', 'NOCOMM', 'NOPARENT',
  'CAL', 'NOTCAL', 'OFF', 'NOTOFF', 'BYPASS', 'NOTBYPASS', 'ECO', 'NOTECO', 'ALARM', 'NOTALARM', 'OVER', 'NOTOVER',
  'TRIM', 'NOTTRIM', 'BOOST', 'NOTBOOST', 'OTHER', 'NOTOTHER', 'SUSPEND_STARTING', 'SUSPEND_FINISHED',
] as const;
/** NOTIFYFLAG flags, joined with `+` (case-sensitive in upsmon). */
export const UPSMON_NOTIFY_FLAGS = ['SYSLOG', 'WALL', 'EXEC', 'IGNORE'] as const;
export const DEFAULT_MINSUPPLIES = 1;

export interface MonitorEntry {
  line: number;
  column: number;
  /** Words after MONITOR; the fields below are filled only when there are exactly 5. */
  fieldCount: number;
  /** `upsname@host[:port]`, as written. */
  system: string;
  powerValue?: string;
  user?: string;
  hasPassword: boolean;
  role?: string;
}

export interface UpsmonDirective {
  keyword: string;
  /** Words after the keyword; MONITOR and CERTIDENT passwords are left out, MONITOR keeps only its system. */
  args: string[];
  /** How many words followed the keyword, hidden ones included. */
  argCount: number;
  line: number;
  column: number;
}

export interface UpsmonConf {
  directives: UpsmonDirective[];
  monitors: MonitorEntry[];
  minSupplies?: number;
  shutdownCmd?: string;
  notifyCmd?: string;
  powerDownFlag?: string;
  runAsUser?: string;
  pollFreq?: number;
  pollFreqAlert?: number;
  deadTime?: number;
  hostSync?: number;
  finalDelay?: number;
  noCommWarnTime?: number;
  rbWarnTime?: number;
  notifyMessages: Array<{ type: string; message: string; line: number }>;
  notifyFlags: Array<{ type: string; flags: string[]; line: number }>;
}

export interface UpsmonConfParse {
  config: UpsmonConf;
  issues: ConfIssue[];
  /** Password of config.monitors[i] at index i (undefined when the line has no usable password). */
  monitorPasswords: Array<string | undefined>;
  secrets: string[];
}

export interface UpsSystem {
  upsName: string;
  host: string;
  /** Undefined means 3493. */
  port?: number;
}

/**
 * `upsname@host[:port]` as upsclient's upscli_splitname reads it; an IPv6
 * address goes in brackets (`ups@[::1]:3493`). Returns a reason when it cannot be split.
 */
export function splitUpsSystem(system: string): UpsSystem | { problem: string } {
  const at = system.indexOf('@');
  if (at < 0) return { problem: 'has no `@host`: write `upsname@host` (e.g. `myups@localhost`)' };
  const upsName = system.slice(0, at);
  const rest = system.slice(at + 1);
  if (upsName === '') return { problem: 'has no UPS name before `@`' };
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return { problem: 'opens `[` for an IPv6 address but never closes it' };
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return { problem: 'has text after the `]` that is not `:port`' };
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const colon = rest.indexOf(':');
    if (colon >= 0 && rest.indexOf(':', colon + 1) >= 0) {
      return { problem: 'has an IPv6 address without brackets: write it as `upsname@[address]:port`' };
    }
    host = colon < 0 ? rest : rest.slice(0, colon);
    portText = colon < 0 ? undefined : rest.slice(colon + 1);
  }
  if (host === '') return { problem: 'has no host after `@`' };
  if (portText === undefined) return { upsName, host };
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return { problem: 'has a port that is not a number from 1 to 65535' };
  return { upsName, host, port };
}

export function parseUpsmonConf(text: string): UpsmonConfParse {
  const tokens = tokenizeNutConf(text);
  const config: UpsmonConf = { directives: [], monitors: [], notifyMessages: [], notifyFlags: [] };
  const monitorPasswords: Array<string | undefined> = [];
  const secrets: string[] = [];
  for (const statement of tokens.statements) {
    const [keywordWord, ...argWords] = statement.words;
    if (keywordWord === undefined) continue;
    const keyword = keywordWord.text;
    const args = argWords.map((w) => w.text);
    const { line, column } = statement;
    if (keyword === 'MONITOR') {
      const { monitor, password } = readMonitor(args, line, column);
      config.monitors.push(monitor);
      monitorPasswords.push(password);
      // Past the system field, positions are only trusted when the count is right; keep none of them.
      config.directives.push({ keyword, args: args.slice(0, 1), argCount: args.length, line, column });
      // On a line with the wrong field count any word may be the password: hide all but the obvious ones.
      if (password !== undefined) secrets.push(password);
      else secrets.push(...args.slice(1).filter((word) => !/^(\d+|primary|secondary|master|slave)$/i.test(word)));
      continue;
    }
    if (keyword === 'CERTIDENT') {
      if (args[1] !== undefined) secrets.push(args[1]);
      config.directives.push({ keyword, args: args.slice(0, 1), argCount: args.length, line, column });
      continue;
    }
    config.directives.push({ keyword, args, argCount: args.length, line, column });
    applyDirective(config, keyword, args, line);
  }
  return { config, issues: tokens.issues, monitorPasswords, secrets };
}

function readMonitor(args: string[], line: number, column: number): { monitor: MonitorEntry; password?: string } {
  const [system = '', powerValue, user, password, role] = args;
  if (args.length !== 5 || powerValue === undefined || user === undefined || password === undefined || role === undefined) {
    return { monitor: { line, column, fieldCount: args.length, system, hasPassword: false } };
  }
  return {
    monitor: { line, column, fieldCount: 5, system, powerValue, user, hasPassword: password !== '', role },
    password,
  };
}

/** upsmon reads numbers with atoi; here only clean whole numbers count, validate.ts reports the rest. */
const wholeNumber = (value: string): number | undefined => (/^\d+$/.test(value) ? Number(value) : undefined);

function applyDirective(config: UpsmonConf, keyword: string, args: string[], line: number): void {
  const [first, second] = args;
  if (first === undefined) return;
  switch (keyword) {
    case 'MINSUPPLIES':
      config.minSupplies = wholeNumber(first) ?? config.minSupplies;
      return;
    case 'POLLFREQ':
      config.pollFreq = wholeNumber(first) ?? config.pollFreq;
      return;
    case 'POLLFREQALERT':
      config.pollFreqAlert = wholeNumber(first) ?? config.pollFreqAlert;
      return;
    case 'DEADTIME':
      config.deadTime = wholeNumber(first) ?? config.deadTime;
      return;
    case 'HOSTSYNC':
      config.hostSync = wholeNumber(first) ?? config.hostSync;
      return;
    case 'FINALDELAY':
      config.finalDelay = wholeNumber(first) ?? config.finalDelay;
      return;
    case 'NOCOMMWARNTIME':
      config.noCommWarnTime = wholeNumber(first) ?? config.noCommWarnTime;
      return;
    case 'RBWARNTIME':
      config.rbWarnTime = wholeNumber(first) ?? config.rbWarnTime;
      return;
    case 'SHUTDOWNCMD':
      config.shutdownCmd = first;
      return;
    case 'NOTIFYCMD':
      config.notifyCmd = first;
      return;
    case 'POWERDOWNFLAG':
      config.powerDownFlag = first;
      return;
    case 'RUN_AS_USER':
      config.runAsUser = first;
      return;
    case 'NOTIFYMSG':
      if (second !== undefined) config.notifyMessages.push({ type: first, message: second, line });
      return;
    case 'NOTIFYFLAG':
      if (second !== undefined) config.notifyFlags.push({ type: first, flags: second.split('+'), line });
      return;
    default:
      return;
  }
}
