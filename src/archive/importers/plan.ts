/**
 * What an import would do to each host, given the targets the rules folder
 * defines now. Only definitions in files an import wrote (imported-*.yaml)
 * may be replaced: a hand-written file is the user's, and is never rewritten.
 */
import * as path from 'node:path';
import type { RuleSet } from '../../policy/rule-set';
import type { ImportedHost } from './types';

export const CONFLICT_MODES = ['skip', 'overwrite', 'rename'] as const;
export type ConflictMode = (typeof CONFLICT_MODES)[number];
export type PlanAction = 'add' | 'skip' | 'overwrite' | 'rename';

export interface PlanEntry {
  host: ImportedHost;
  /** The target's name: the host's own, or the free one picked by rename. */
  name: string;
  action: PlanAction;
  reason: string;
  /** Where the definition with the same name lives now. */
  existingFile?: string;
  /** Overwrite asked for, but the definition is in a hand-written file: needs a hand edit. */
  conflict?: boolean;
}

/** Files an import wrote; only their definitions may be replaced. */
export function isImportedFile(file: string): boolean {
  const base = path.basename(file);
  return base.startsWith('imported-') && base.endsWith('.yaml');
}

export function planImport(hosts: readonly ImportedHost[], current: RuleSet, mode: ConflictMode): PlanEntry[] {
  // A renamed host must not take a name another host of this import (or the folder) holds.
  const taken = new Set([...current.targets.keys(), ...hosts.map((host) => host.name)]);
  return hosts.map((host): PlanEntry => {
    const existing = current.targets.get(host.name);
    if (!existing) return { host, name: host.name, action: 'add', reason: 'new target' };
    const existingFile = existing.source.file;
    const where = path.basename(existingFile);
    switch (mode) {
      case 'skip':
        return { host, name: host.name, action: 'skip', reason: `already defined in ${where}`, existingFile };
      case 'rename': {
        const name = freeName(host.name, taken);
        taken.add(name);
        return { host, name, action: 'rename', reason: `\`${host.name}\` is already defined in ${where}`, existingFile };
      }
      case 'overwrite':
        if (isImportedFile(existingFile)) return { host, name: host.name, action: 'overwrite', reason: `replaces the definition in ${where}`, existingFile };
        return {
          host, name: host.name, action: 'skip', existingFile, conflict: true,
          reason: `conflict: defined in the hand-written ${where}; edit it there by hand (import only replaces definitions in imported-*.yaml files)`,
        };
    }
  });
}

/** `<name>-2`, `-3`… the first not taken, shortened so it stays within 64 characters. */
export function freeName(name: string, taken: ReadonlySet<string>): string {
  for (let n = 2; ; n += 1) {
    const suffix = `-${n}`;
    const candidate = `${name.slice(0, 64 - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}
