/**
 * Our own archive as an import source: the targets of another hub (its
 * `hosts` and `integrations` tables hold each target's definition as the
 * rules gave it) become targets here. Secret references are made afresh
 * (`ssh/<name>`…): the other hub's secrets are not this hub's.
 */
import type { Target } from '../../policy/spec';
import { ArchiveReader, type KeySource } from '../reader';
import { buildHosts, type HostDraft } from './hosts';
import type { ImportNote, ParseResult } from './types';

function draftOf(name: string, target: Target, origin: string): HostDraft | string {
  const base = { entry: name, origin, type: target.type, description: target.description, secretFields: [] };
  switch (target.type) {
    case 'ssh': return { ...base, host: target.host, port: target.port, user: target.user };
    case 'proxmox': {
      const url = new URL(target.url);
      return { ...base, host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port === '' ? undefined : Number(url.port), node: target.node };
    }
    case 'tapo': return { ...base, host: target.host };
    case 'shelly': return { ...base, host: target.host, channel: target.channel };
    case 'wol': return { ...base, host: target.address, mac: target.mac };
    case 'ups': return 'a ups target names a NUT UPS of the other hub: add it by hand';
  }
}

export async function parseArchive(file: string, label: string, keys: KeySource): Promise<ParseResult> {
  const reader = await ArchiveReader.open(file, keys);
  const drafts: HostDraft[] = [];
  const notes: ImportNote[] = [];
  for (const table of ['hosts', 'integrations']) {
    const section = reader.section(table);
    if (!section) continue;
    for await (const page of reader.pages(section)) {
      const nameAt = page.columns.indexOf('name');
      const configAt = page.columns.indexOf('config');
      page.rows.forEach((row, index) => {
        const name = String(row[nameAt]);
        const origin = `${label} ${table}[${index}]`;
        const draft = draftOf(name, JSON.parse(String(row[configAt])) as Target, origin);
        if (typeof draft === 'string') notes.push({ severity: 'warning', entry: name, origin, message: `not imported: ${draft}` });
        else drafts.push(draft);
      });
    }
  }
  return buildHosts(drafts, notes);
}
