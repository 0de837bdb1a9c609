/**
 * What the NUT config validators share: the finding type, the per-file
 * collector, typo suggestions, and number and address checks. Pure: no I/O.
 */
import * as net from 'node:net';
import type { ConfIssue, ConfSeverity } from './tokenizer';

export type Severity = ConfSeverity;

export interface NutConfFinding {
  file: string;
  /** 1-based; 0 when the finding is about the file (or folder) as a whole. */
  line: number;
  severity: Severity;
  message: string;
}

export type Emit = (line: number, severity: Severity, message: string) => void;

export function collector(file: string): { findings: NutConfFinding[]; emit: Emit } {
  const findings: NutConfFinding[] = [];
  return { findings, emit: (line, severity, message) => findings.push({ file, line, severity, message }) };
}

/** In line order; findings on one line keep the order they were found in (the sort is stable). */
export const inLineOrder = (findings: NutConfFinding[]): NutConfFinding[] => findings.sort((a, b) => a.line - b.line);

export const fromIssues = (file: string, issues: readonly ConfIssue[]): NutConfFinding[] =>
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
export function suggestion(word: string, known: readonly string[], caseSensitive: boolean): string {
  const near = nearestKnown(word, known);
  if (near === undefined) return '';
  if (caseSensitive && near.toLowerCase() === word.toLowerCase()) return ` Did you mean \`${near}\`? Keywords are case-sensitive.`;
  return ` Did you mean \`${near}\`?`;
}

export const isWholeNumber = (text: string): boolean => /^\d+$/.test(text);
export const isInteger = (text: string): boolean => /^-?\d+$/.test(text);

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

export const isWildcardAddress = (address: string): boolean => address === '0.0.0.0' || address === '::' || /^(0{1,4}:){7}0{1,4}$/.test(address);

export const isValidPort = (text: string): boolean => isWholeNumber(text) && Number(text) >= 1 && Number(text) <= 65535;
