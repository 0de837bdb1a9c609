/**
 * Ansible's YAML inventory: `all:` with `hosts:` (name → vars), `vars:` and
 * `children:` (group → the same shape), nested to any depth. JSON in that
 * shape is YAML too, so it lands here as well.
 */
import { CORE_SCHEMA, YAMLException, load } from 'js-yaml';
import { UsageError } from '../../errors';
import { addHost, emptyInventory, groupOf, inventoryToHosts, type AnsibleInventory } from './ansible';
import type { ImportNote, ParseResult } from './types';

type Mapping = Record<string, unknown>;

const isMapping = (value: unknown): value is Mapping => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parsed with the core schema: no custom tags, so an inventory cannot construct anything but data. */
export function loadYaml(text: string, label: string): unknown {
  try {
    return load(text, { schema: CORE_SCHEMA, filename: label, maxAliases: 200 });
  } catch (error) {
    if (error instanceof YAMLException) throw new UsageError(`${label}: YAML syntax: ${error.reason}`);
    throw error;
  }
}

export function parseAnsibleYaml(text: string, label: string): ParseResult {
  const root = loadYaml(text, label);
  if (!isMapping(root) || !isMapping(root.all)) throw new UsageError(`${label}: an Ansible YAML inventory starts with \`all:\``);
  const inventory = emptyInventory();
  const notes: ImportNote[] = [];
  readGroup(inventory, notes, 'all', root.all, `${label} all`, new Set());
  return inventoryToHosts(inventory, notes);
}

function readGroup(inventory: AnsibleInventory, notes: ImportNote[], name: string, node: unknown, where: string, path: Set<string>): void {
  const group = groupOf(inventory, name);
  if (node === null || node === undefined) return; // `web:` with nothing under it is an empty group
  if (!isMapping(node)) {
    notes.push({ severity: 'warning', entry: name, origin: where, message: 'ignored: a group must be a mapping of hosts, vars and children' });
    return;
  }
  if (isMapping(node.vars)) Object.assign(group.vars, node.vars);
  if (isMapping(node.hosts)) {
    for (const [host, vars] of Object.entries(node.hosts)) addHost(inventory, name, host, isMapping(vars) ? vars : {}, `${where}.hosts.${host}`);
  }
  if (isMapping(node.children)) {
    for (const [child, childNode] of Object.entries(node.children)) {
      group.children.add(child);
      if (path.has(child)) continue; // a cycle: Ansible refuses it, we just stop walking
      readGroup(inventory, notes, child, childNode, `${where}.children.${child}`, new Set([...path, name]));
    }
  }
}
