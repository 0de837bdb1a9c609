/**
 * What every inventory parser produces: hosts in walNUT's terms, plus notes
 * about what was left out and why (an entry is never dropped silently).
 */

export const IMPORTED_TYPES = ['ssh', 'proxmox', 'shelly', 'tapo', 'wol'] as const;
export type ImportedType = (typeof IMPORTED_TYPES)[number];

export type ImportFormat = 'archive' | 'json-inventory' | 'ansible-ini' | 'ansible-yaml';

export interface ImportedHost {
  /** Already normalised to the rules' name pattern. */
  name: string;
  type: ImportedType;
  /** Host name or address (for wol: where the magic packet goes). */
  host: string;
  port?: number;
  user?: string;
  /** wol only: the MAC address to wake. */
  mac?: string;
  /** proxmox only: the node name in the cluster. */
  node?: string;
  /** shelly only: the relay channel. */
  channel?: number;
  description?: string;
  /** Where the entry was found, for messages: `hosts.ini:12`, `inventory.json hosts[3]`. */
  origin: string;
}

/** A warning (imported, but look at this) or an error (this entry was not imported). */
export interface ImportNote {
  severity: 'warning' | 'error';
  /** The entry's name as written in the input. */
  entry: string;
  origin: string;
  message: string;
}

export interface ParseResult {
  hosts: ImportedHost[];
  notes: ImportNote[];
}

export interface ImportCounts {
  added: number;
  overwritten: number;
  renamed: number;
  skipped: number;
  /** Skipped because overwrite would have had to edit a hand-written file. */
  conflicts: number;
  /** Entries of the input that could not become a target. */
  rejected: number;
  warnings: number;
}
