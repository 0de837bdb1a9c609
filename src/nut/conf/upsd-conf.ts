/**
 * upsd.conf: one `KEYWORD arg…` directive per line (no `=`, keywords
 * case-sensitive), read as server/conf.c does. The structure keeps every
 * directive with its line; typed fields hold the values upsd would use. The
 * CERTIDENT password is kept out of the structure and returned in `secrets`.
 */
import { type ConfIssue, tokenizeNutConf } from './tokenizer';

export type ValueKind = 'integer' | 'boolean' | 'text' | 'listen' | 'certident' | 'certrequest' | 'obsolete';

export interface DirectiveSpec {
  kind: ValueKind;
  /** Words after the keyword: at least / at most. */
  minArgs: number;
  maxArgs: number;
}

export const UPSD_CONF_DIRECTIVES: Readonly<Record<string, DirectiveSpec>> = {
  LISTEN: { kind: 'listen', minArgs: 1, maxArgs: 2 },
  MAXAGE: { kind: 'integer', minArgs: 1, maxArgs: 1 },
  TRACKINGDELAY: { kind: 'integer', minArgs: 1, maxArgs: 1 },
  MAXCONN: { kind: 'integer', minArgs: 1, maxArgs: 1 },
  DEBUG_MIN: { kind: 'integer', minArgs: 1, maxArgs: 1 },
  ALLOW_NO_DEVICE: { kind: 'boolean', minArgs: 1, maxArgs: 1 },
  ALLOW_NOT_ALL_LISTENERS: { kind: 'boolean', minArgs: 1, maxArgs: 1 },
  DISABLE_WEAK_SSL: { kind: 'boolean', minArgs: 1, maxArgs: 1 },
  STATEPATH: { kind: 'text', minArgs: 1, maxArgs: 1 },
  DATAPATH: { kind: 'text', minArgs: 1, maxArgs: 1 },
  CERTFILE: { kind: 'text', minArgs: 1, maxArgs: 1 },
  CERTPATH: { kind: 'text', minArgs: 1, maxArgs: 1 },
  CERTIDENT: { kind: 'certident', minArgs: 2, maxArgs: 2 },
  CERTREQUEST: { kind: 'certrequest', minArgs: 1, maxArgs: 1 },
  // Removed in NUT 2.4: upsd warns and ignores them.
  ACL: { kind: 'obsolete', minArgs: 0, maxArgs: Number.POSITIVE_INFINITY },
  ACCEPT: { kind: 'obsolete', minArgs: 0, maxArgs: Number.POSITIVE_INFINITY },
  REJECT: { kind: 'obsolete', minArgs: 0, maxArgs: Number.POSITIVE_INFINITY },
};

export const DEFAULT_UPSD_PORT = 3493;

export interface UpsdDirective {
  keyword: string;
  /** The words after the keyword; CERTIDENT's password is left out. */
  args: string[];
  /** How many words followed the keyword, hidden ones included. */
  argCount: number;
  line: number;
  column: number;
}

export interface UpsdListen {
  address: string;
  /** As written; undefined means 3493. */
  port?: string;
  line: number;
  column: number;
}

export interface UpsdConf {
  directives: UpsdDirective[];
  /** Empty means upsd's default: 127.0.0.1 and ::1 on 3493. */
  listen: UpsdListen[];
  maxAge?: number;
  trackingDelay?: number;
  maxConn?: number;
  debugMin?: number;
  statePath?: string;
  dataPath?: string;
  certFile?: string;
  certPath?: string;
  /** CERTIDENT's certificate name (the password is never kept here). */
  certIdent?: string;
  certRequest?: number;
  allowNoDevice?: boolean;
  allowNotAllListeners?: boolean;
  disableWeakSsl?: boolean;
}

export interface UpsdConfParse {
  config: UpsdConf;
  issues: ConfIssue[];
  secrets: string[];
}

/** A whole number as upsd should read it (stricter than atoi, which takes `15s` as 15). */
export function parseWholeNumber(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** upsd's booleans: a number (non-zero is true) or true/on/yes, false/off/no in any case. */
export function parseNutBoolean(text: string): boolean | undefined {
  if (/^\d+$/.test(text)) return Number(text) !== 0;
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === 'on' || lower === 'yes') return true;
  if (lower === 'false' || lower === 'off' || lower === 'no') return false;
  return undefined;
}

export function parseUpsdConf(text: string): UpsdConfParse {
  const tokens = tokenizeNutConf(text);
  const config: UpsdConf = { directives: [], listen: [] };
  const secrets: string[] = [];
  for (const statement of tokens.statements) {
    const [keywordWord, ...argWords] = statement.words;
    if (keywordWord === undefined) continue;
    const keyword = keywordWord.text;
    const args = argWords.map((w) => w.text);
    const { line, column } = statement;
    if (keyword === 'CERTIDENT' && args[1] !== undefined) {
      secrets.push(args[1]);
      config.directives.push({ keyword, args: args.slice(0, 1), argCount: args.length, line, column });
    } else {
      config.directives.push({ keyword, args, argCount: args.length, line, column });
    }
    applyDirective(config, keyword, args, line, column);
  }
  return { config, issues: tokens.issues, secrets };
}

function applyDirective(config: UpsdConf, keyword: string, args: string[], line: number, column: number): void {
  const [first, second] = args;
  if (first === undefined) return;
  switch (keyword) {
    case 'LISTEN':
      config.listen.push({ address: first, ...(second === undefined ? {} : { port: second }), line, column });
      return;
    case 'MAXAGE':
      config.maxAge = parseWholeNumber(first) ?? config.maxAge;
      return;
    case 'TRACKINGDELAY':
      config.trackingDelay = parseWholeNumber(first) ?? config.trackingDelay;
      return;
    case 'MAXCONN':
      config.maxConn = parseWholeNumber(first) ?? config.maxConn;
      return;
    case 'DEBUG_MIN':
      config.debugMin = parseWholeNumber(first) ?? config.debugMin;
      return;
    case 'CERTREQUEST':
      config.certRequest = parseWholeNumber(first) ?? config.certRequest;
      return;
    case 'ALLOW_NO_DEVICE':
      config.allowNoDevice = parseNutBoolean(first) ?? config.allowNoDevice;
      return;
    case 'ALLOW_NOT_ALL_LISTENERS':
      config.allowNotAllListeners = parseNutBoolean(first) ?? config.allowNotAllListeners;
      return;
    case 'DISABLE_WEAK_SSL':
      config.disableWeakSsl = parseNutBoolean(first) ?? config.disableWeakSsl;
      return;
    case 'STATEPATH':
      config.statePath = first;
      return;
    case 'DATAPATH':
      config.dataPath = first;
      return;
    case 'CERTFILE':
      config.certFile = first;
      return;
    case 'CERTPATH':
      config.certPath = first;
      return;
    case 'CERTIDENT':
      if (second !== undefined) config.certIdent = first;
      return;
    default:
      return;
  }
}
