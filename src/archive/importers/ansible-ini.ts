/**
 * Ansible's INI inventory: `[group]` sections of `host key=value…` lines,
 * `[group:vars]` of `key=value`, `[group:children]` of group names. Lines
 * before any section are ungrouped hosts. Host ranges (`web[01:03]`) expand.
 */
import { addHost, emptyInventory, groupOf, inventoryToHosts } from './ansible';
import type { ImportNote, ParseResult } from './types';

const SECTION = /^\[([^\]:\s]+)(?::(vars|children))?\]$/;

export function parseAnsibleIni(text: string, label: string): ParseResult {
  const inventory = emptyInventory();
  const notes: ImportNote[] = [];
  let section = { group: 'ungrouped', kind: 'hosts' as 'hosts' | 'vars' | 'children' | 'unknown' };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    const origin = `${label}:${index + 1}`;
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = SECTION.exec(line);
    if (header) {
      section = { group: header[1]!, kind: (header[2] as 'vars' | 'children' | undefined) ?? 'hosts' };
      groupOf(inventory, section.group);
      return;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      // `[group:other]`: Ansible knows only :vars and :children; its lines are not hosts.
      notes.push({ severity: 'warning', entry: line, origin, message: 'ignored this section and its lines: not [group], [group:vars] or [group:children]' });
      section = { group: line, kind: 'unknown' };
      return;
    }
    if (section.kind === 'unknown') return;
    if (section.kind === 'children') {
      groupOf(inventory, section.group).children.add(line);
      groupOf(inventory, line);
      return;
    }
    if (section.kind === 'vars') {
      const equals = line.indexOf('=');
      if (equals <= 0) notes.push({ severity: 'warning', entry: `[${section.group}:vars]`, origin, message: 'ignored a line that is not `key=value`' });
      else groupOf(inventory, section.group).vars[line.slice(0, equals).trim()] = unquote(line.slice(equals + 1).trim());
      return;
    }
    const [pattern, ...rest] = splitWords(line);
    // `host:2222` is Ansible's short form of ansible_port (not for a bare IPv6 address).
    const short = /^([^:]+):(\d+)$/.exec(pattern!);
    const vars: Record<string, unknown> = short ? { ansible_port: short[2] } : {};
    rest.forEach((word, position) => {
      const equals = word.indexOf('=');
      // The word itself is never repeated: it might be a value typed after a stray space.
      if (equals <= 0) notes.push({ severity: 'warning', entry: pattern!, origin, message: `ignored word ${position + 2} of the line: not \`key=value\`` });
      else vars[word.slice(0, equals)] = unquote(word.slice(equals + 1));
    });
    for (const host of expandRange(short ? short[1]! : pattern!)) addHost(inventory, section.group, host, vars, origin);
  });
  return inventoryToHosts(inventory, notes);
}

/** Words split on spaces outside quotes; `#` outside quotes starts a comment. */
function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  for (const char of line) {
    if (quote) {
      word += char;
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      word += char;
      quote = char;
    } else if (/\s/.test(char)) {
      if (word) words.push(word);
      word = '';
    } else if (char === '#' && word === '') {
      break;
    } else {
      word += char;
    }
  }
  if (word) words.push(word);
  return words;
}

function unquote(value: string): string {
  const quoted = /^(["'])(.*)\1$/.exec(value);
  return quoted ? quoted[2]! : value;
}

/** `web[01:03]` → web01, web02, web03; `db-[a:c]` → db-a, db-b, db-c (with an optional `:step`). */
export function expandRange(pattern: string): string[] {
  const range = /\[([0-9a-z]+):([0-9a-z]+)(?::(\d+))?\]/i.exec(pattern);
  if (!range) return [pattern];
  const [whole, from, to, stepText] = range as unknown as [string, string, string, string | undefined];
  const step = Number(stepText ?? 1) || 1;
  const before = pattern.slice(0, range.index);
  const after = pattern.slice(range.index + whole.length);
  const items: string[] = [];
  if (/^\d+$/.test(from) && /^\d+$/.test(to)) {
    const width = from.startsWith('0') ? from.length : 0;
    for (let n = Number(from); n <= Number(to) && items.length < 10_000; n += step) items.push(String(n).padStart(width, '0'));
  } else if (/^[a-z]$/i.test(from) && /^[a-z]$/i.test(to)) {
    for (let code = from.charCodeAt(0); code <= to.charCodeAt(0); code += step) items.push(String.fromCharCode(code));
  } else {
    return [pattern];
  }
  return items.flatMap((item) => expandRange(`${before}${item}${after}`));
}
