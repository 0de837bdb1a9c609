/**
 * Which importer a file needs, from its content (the name only helps the
 * message): the archive magic, a JSON object with `hosts`, an Ansible YAML
 * inventory under `all:`, or Ansible INI sections and `host key=value` lines.
 */
import * as path from 'node:path';
import { CORE_SCHEMA, load } from 'js-yaml';
import { UsageError } from '../../errors';
import type { ImportFormat } from './types';

/** The first 8 bytes of a walNUT backup archive. */
export const ARCHIVE_MAGIC = Buffer.from('WNUTARC1', 'latin1');

const INI_SECTION = /^\[[^\]\s]+\]$/;
const INI_HOST = /^[^\s=#;]+(\s+[A-Za-z_][A-Za-z0-9_]*=\S*)*\s*(#.*)?$/;
const INI_HOST_WITH_VARS = /^\S+\s+[A-Za-z_][A-Za-z0-9_]*=/;

export function detectFormat(bytes: Buffer, fileName: string): ImportFormat {
  if (bytes.subarray(0, ARCHIVE_MAGIC.length).equals(ARCHIVE_MAGIC)) return 'archive';
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const json = parseJson(text);
  if (isObject(json) && Array.isArray(json.hosts)) return 'json-inventory';
  const yaml = json ?? parseYaml(text);
  if (isObject(yaml) && isObject(yaml.all) && ('hosts' in yaml.all || 'children' in yaml.all || 'vars' in yaml.all)) return 'ansible-yaml';
  if (looksLikeIni(text)) return 'ansible-ini';
  throw new UsageError(
    `${path.basename(fileName)}: not a format walnut import knows: a walNUT archive (restore it with walnut backup restore), ` +
    'a JSON inventory ({ "hosts": [...] }), an Ansible INI inventory ([group] sections, host key=value lines) ' +
    'or an Ansible YAML inventory (all: with hosts: and children:)',
  );
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function parseJson(text: string): unknown {
  if (!/^\s*[{[]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parseYaml(text: string): unknown {
  try {
    return load(text, { schema: CORE_SCHEMA, maxAliases: 200 });
  } catch {
    return undefined; // INI is rarely valid YAML: `[web]` followed by more lines is a syntax error
  }
}

/** Every meaningful line is a section or a host line, and at least one says it is INI. */
function looksLikeIni(text: string): boolean {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith(';'));
  let section = '';
  let evidence = false;
  for (const line of lines) {
    if (INI_SECTION.test(line)) {
      section = line;
      evidence = true;
    } else if (section.endsWith(':vars]')) {
      if (!line.includes('=')) return false;
    } else if (section.endsWith(':children]')) {
      if (/\s/.test(line)) return false;
    } else if (INI_HOST.test(line) || line.includes('"') || line.includes("'")) {
      if (INI_HOST_WITH_VARS.test(line)) evidence = true;
    } else {
      return false;
    }
  }
  return evidence;
}
