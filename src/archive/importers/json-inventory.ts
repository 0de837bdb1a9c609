/**
 * A JSON inventory: `{ "hosts": [ { "name", "type", "host", "port", "user", … } ] }`,
 * what a CMDB or a spreadsheet export can easily produce.
 */
import { UsageError } from '../../errors';
import { buildHosts, isSecretField, type HostDraft } from './hosts';
import type { ImportNote, ParseResult } from './types';

const FIELDS = new Set(['name', 'type', 'host', 'address', 'hostname', 'ip', 'port', 'user', 'mac', 'node', 'channel', 'description']);

export function parseJsonInventory(text: string, label: string): ParseResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${label}: not valid JSON (${(error as Error).message})`);
  }
  const hosts = (parsed as { hosts?: unknown } | null)?.hosts;
  if (!Array.isArray(hosts)) throw new UsageError(`${label}: a JSON inventory is an object with a \`hosts\` array`);
  const notes: ImportNote[] = [];
  const drafts: HostDraft[] = [];
  hosts.forEach((item: unknown, index) => {
    const origin = `${label} hosts[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      notes.push({ severity: 'error', entry: `hosts[${index}]`, origin, message: 'not imported: an entry must be an object' });
      return;
    }
    const entry = item as Record<string, unknown>;
    const host = entry.host ?? entry.address ?? entry.hostname ?? entry.ip;
    const name = typeof entry.name === 'string' ? entry.name : typeof host === 'string' ? host : `hosts[${index}]`;
    const draft: HostDraft = {
      entry: name, origin, type: entry.type, host, port: entry.port, user: entry.user, mac: entry.mac,
      node: entry.node, channel: entry.channel, description: entry.description, secretFields: [],
    };
    for (const field of Object.keys(entry)) {
      if (isSecretField(field)) draft.secretFields.push(field);
      else if (!FIELDS.has(field)) notes.push({ severity: 'warning', entry: name, origin, message: `ignored unknown field \`${field}\`` });
    }
    drafts.push(draft);
  });
  return buildHosts(drafts, notes);
}
