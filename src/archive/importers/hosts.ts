/**
 * Shared by every parser: an entry as read (loose values) becomes an
 * ImportedHost, or a note saying why it could not. Names are normalised here
 * and secrets are refused here, so no format can forget either.
 */
import { NAME_PATTERN } from '../../policy/schema/common';
import { IMPORTED_TYPES, type ImportNote, type ImportedHost, type ImportedType, type ParseResult } from './types';

/** An entry as a parser found it, its values not yet checked. */
export interface HostDraft {
  entry: string;
  origin: string;
  type?: unknown;
  host?: unknown;
  port?: unknown;
  user?: unknown;
  mac?: unknown;
  node?: unknown;
  channel?: unknown;
  description?: unknown;
  /** Fields that held a password, key or token: ignored, and said so. */
  secretFields: string[];
}

const NAME = new RegExp(NAME_PATTERN);
const SECRET_WORDS = new Set(['pass', 'passwd', 'password', 'passphrase', 'secret', 'token', 'key', 'credential', 'credentials', 'apikey', 'privatekey']);

/** Lowercase; anything outside [a-z0-9_-] becomes `-`; runs of `-` collapse; no leading `-`/`_` nor trailing `-`. */
export function normaliseName(raw: string): string | undefined {
  const name = raw.trim().toLowerCase().replace(/[^a-z0-9_-]/g, '-').replace(/-{2,}/g, '-').replace(/^[-_]+|-+$/g, '');
  return NAME.test(name) ? name : undefined;
}

/** `ansible_password`, `ansible_ssh_private_key_file`, `apiToken`…: any word of the field name that names a secret. */
export function isSecretField(field: string): boolean {
  if (/host_?key_?checking$/i.test(field)) return false; // a setting that merely mentions keys
  const words = field.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase().split(/[^a-z]+/);
  return words.some((word) => SECRET_WORDS.has(word)) || SECRET_WORDS.has(field.toLowerCase().replace(/[^a-z]/g, ''));
}

/** The secret a generated target names; wol needs none. */
export function secretRefFor(type: ImportedType, name: string): string | undefined {
  switch (type) {
    case 'ssh': return `ssh/${name}`;
    case 'proxmox': return `proxmox/${name}`;
    case 'tapo': return `tapo/${name}`;
    case 'shelly': return `shelly/${name}`;
    case 'wol': return undefined;
  }
}

const isImportedType = (value: unknown): value is ImportedType => (IMPORTED_TYPES as readonly unknown[]).includes(value);

/** Numbers as the rules want them; an out-of-range port is kept so the rules check reports it with the rest. */
function integer(value: unknown): number | undefined | 'invalid' {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  return Number.isInteger(number) ? number : 'invalid';
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number') return String(value);
  return undefined;
}

export function buildHosts(drafts: readonly HostDraft[], notes: ImportNote[] = []): ParseResult {
  const hosts: ImportedHost[] = [];
  const seen = new Map<string, string>();
  for (const draft of drafts) {
    const note = (severity: ImportNote['severity'], message: string): void => {
      notes.push({ severity, entry: draft.entry, origin: draft.origin, message });
    };
    const host = buildHost(draft, note);
    if (!host) continue;
    const first = seen.get(host.name);
    if (first !== undefined) {
      note('error', `not imported: its name becomes \`${host.name}\`, as the entry at ${first} does`);
      continue;
    }
    seen.set(host.name, draft.origin);
    hosts.push(host);
  }
  return { hosts, notes };
}

function buildHost(draft: HostDraft, note: (severity: ImportNote['severity'], message: string) => void): ImportedHost | undefined {
  const name = normaliseName(draft.entry);
  const type = draft.type === undefined || draft.type === null || draft.type === '' ? 'ssh' : draft.type;
  // Secrets are reported even for an entry refused below: the user should still learn they were not read.
  const secretNote = (field: string, ref: string | undefined): void => note('warning',
    `ignored \`${field}\`: walNUT never imports secrets; store it with \`walnut secrets set ${ref ?? 'NAME'}\` and reference it with secretRef`);
  const ref = name !== undefined && isImportedType(type) ? secretRefFor(type, name) : undefined;
  for (const field of draft.secretFields) secretNote(field, ref);

  if (name === undefined) {
    note('error', `not imported: \`${draft.entry}\` cannot be made a target name (lowercase letters, digits, - and _, at most 64, starting with a letter or digit)`);
    return undefined;
  }
  if (!isImportedType(type)) {
    note('error', `not imported: type \`${typeof type === 'string' ? type : JSON.stringify(type)}\` is not one of ${IMPORTED_TYPES.join(', ')}`);
    return undefined;
  }
  const host = text(draft.host);
  if (host === undefined) {
    note('error', 'not imported: no host or address');
    return undefined;
  }
  const port = integer(draft.port);
  const channel = integer(draft.channel);
  if (port === 'invalid' || channel === 'invalid') {
    note('error', `not imported: ${port === 'invalid' ? 'port' : 'channel'} is not a whole number`);
    return undefined;
  }
  const mac = text(draft.mac);
  if (type === 'wol' && mac === undefined) {
    note('error', 'not imported: a wol target needs a MAC address (`mac`, or the Ansible var `walnut_mac`)');
    return undefined;
  }
  if (name !== draft.entry) note('warning', `named \`${name}\` (target names are lowercase letters, digits, - and _)`);
  const imported: ImportedHost = { name, type, host, origin: draft.origin };
  const user = text(draft.user);
  const node = text(draft.node);
  const description = text(draft.description);
  if (port !== undefined) imported.port = port;
  if (user !== undefined) imported.user = user;
  if (mac !== undefined) imported.mac = mac;
  if (node !== undefined) imported.node = node;
  if (channel !== undefined) imported.channel = channel;
  if (description !== undefined) imported.description = description;
  return imported;
}
