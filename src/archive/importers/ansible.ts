/**
 * What the INI and YAML Ansible inventories share: groups with vars and
 * children, hosts with vars, and the merge that gives each host its vars
 * (all < parent groups < its own groups < the host's own line), as Ansible does.
 */
import { buildHosts, isSecretField, type HostDraft } from './hosts';
import { IMPORTED_TYPES, type ImportNote, type ParseResult } from './types';

export interface AnsibleGroup {
  vars: Record<string, unknown>;
  children: Set<string>;
  /** Host name → its vars as written under this group. */
  hosts: Map<string, Record<string, unknown>>;
}

export interface AnsibleInventory {
  groups: Map<string, AnsibleGroup>;
  /** Where each host was first seen, in input order. */
  origins: Map<string, string>;
}

export function emptyInventory(): AnsibleInventory {
  return { groups: new Map(), origins: new Map() };
}

export function groupOf(inventory: AnsibleInventory, name: string): AnsibleGroup {
  let group = inventory.groups.get(name);
  if (!group) {
    group = { vars: {}, children: new Set(), hosts: new Map() };
    inventory.groups.set(name, group);
  }
  return group;
}

export function addHost(inventory: AnsibleInventory, group: string, host: string, vars: Record<string, unknown>, origin: string): void {
  const hosts = groupOf(inventory, group).hosts;
  hosts.set(host, { ...hosts.get(host), ...vars });
  if (!inventory.origins.has(host)) inventory.origins.set(host, origin);
}

/** Each host with its merged vars and every group it is in (directly or through children). */
export function inventoryToHosts(inventory: AnsibleInventory, notes: ImportNote[] = []): ParseResult {
  const depth = groupDepths(inventory);
  const parents = new Map<string, string[]>();
  for (const [name, group] of inventory.groups) for (const child of group.children) parents.set(child, [...(parents.get(child) ?? []), name]);
  const drafts: HostDraft[] = [];
  for (const [host, origin] of inventory.origins) {
    const direct = [...inventory.groups].filter(([, group]) => group.hosts.has(host)).map(([name]) => name);
    const groups = new Set<string>();
    const visit = (name: string): void => {
      if (groups.has(name)) return;
      groups.add(name);
      for (const parent of parents.get(name) ?? []) visit(parent);
    };
    direct.forEach(visit);
    groups.add('all');
    const ordered = [...groups].sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
    const vars: Record<string, unknown> = {};
    for (const name of ordered) Object.assign(vars, inventory.groups.get(name)?.vars);
    for (const name of direct) Object.assign(vars, inventory.groups.get(name)?.hosts.get(host));
    drafts.push(draftOf(host, origin, vars, [...groups], notes));
  }
  return buildHosts(drafts, notes);
}

/** Distance from `all` (a group under no other is 1): a child group's vars win over its parent's. */
function groupDepths(inventory: AnsibleInventory): (name: string) => number {
  const depth = new Map<string, number>();
  const of = (name: string): number => (name === 'all' ? 0 : depth.get(name) ?? 1);
  // Longest path, relaxed at most once per group: a cycle in `children` cannot loop forever.
  for (let round = 0; round < inventory.groups.size; round += 1) {
    let changed = false;
    for (const [name, group] of inventory.groups) {
      for (const child of group.children) {
        if (child !== 'all' && of(child) < of(name) + 1) {
          depth.set(child, of(name) + 1);
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return of;
}

function draftOf(host: string, origin: string, vars: Record<string, unknown>, groups: string[], notes: ImportNote[]): HostDraft {
  // `walnut_type` wins; else a `walnut_<type>` group (walnut_proxmox…); else ssh.
  const byGroup = IMPORTED_TYPES.filter((type) => groups.includes(`walnut_${type}`));
  if (vars.walnut_type === undefined && byGroup.length > 1) {
    notes.push({ severity: 'warning', entry: host, origin, message: `in groups for several types (${byGroup.map((type) => `walnut_${type}`).join(', ')}): imported as ${byGroup[0]}; set \`walnut_type\` to choose` });
  }
  const type = vars.walnut_type ?? byGroup[0] ?? 'ssh';
  // ansible_port is the SSH port: it says nothing of a Proxmox API or a plug.
  const sshPort = type === 'ssh' ? vars.ansible_port ?? vars.ansible_ssh_port : undefined;
  return {
    entry: host, origin, type,
    host: vars.ansible_host ?? vars.ansible_ssh_host ?? host,
    port: vars.walnut_port ?? sshPort,
    user: vars.ansible_user ?? vars.ansible_ssh_user,
    mac: vars.walnut_mac, node: vars.walnut_node, channel: vars.walnut_channel, description: vars.walnut_description,
    secretFields: Object.keys(vars).filter(isSecretField),
  };
}
