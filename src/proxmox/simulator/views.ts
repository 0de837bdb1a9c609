import type { SimTask } from './tasks';
import type { GuestState, NodeState } from './world';

/** Made-up sizes: clients may show them, nothing depends on them. */
const GUEST_MAXMEM = 2 * 1024 ** 3;
const NODE_MAXMEM = 32 * 1024 ** 3;

function uptime(since: number, now: number): number {
  return Math.max(0, Math.floor((now - since) / 1000));
}

function guestUptime(guest: GuestState, now: number): number {
  return guest.status === 'running' ? uptime(guest.startedAt, now) : 0;
}

/** Properties PVE leaves out when unset. */
function optional(guest: GuestState): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  if (guest.tags.length > 0) extra.tags = guest.tags.join(';');
  if (guest.lock !== undefined) extra.lock = guest.lock;
  return extra;
}

/** An entry of `GET /nodes`. */
export function nodeEntry(node: NodeState, fingerprint: string, now: number): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    node: node.name,
    id: `node/${node.name}`,
    type: 'node',
    status: node.status,
    level: '',
    ssl_fingerprint: fingerprint,
  };
  if (node.status === 'online') Object.assign(entry, { uptime: uptime(node.bootedAt, now), maxcpu: 8, maxmem: NODE_MAXMEM, cpu: 0.03 });
  return entry;
}

/** A `type: node` entry of `GET /cluster/resources`. */
export function nodeResource(node: NodeState, now: number): Record<string, unknown> {
  const entry: Record<string, unknown> = { id: `node/${node.name}`, type: 'node', node: node.name, status: node.status, level: '' };
  if (node.status === 'online') Object.assign(entry, { uptime: uptime(node.bootedAt, now), maxcpu: 8, maxmem: NODE_MAXMEM });
  return entry;
}

/** A guest entry of `GET /cluster/resources`. */
export function guestResource(guest: GuestState, now: number): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    id: `${guest.type}/${guest.vmid}`,
    type: guest.type,
    node: guest.node,
    vmid: guest.vmid,
    name: guest.name,
    status: guest.status,
    template: 0,
    maxcpu: 2,
    maxmem: GUEST_MAXMEM,
    uptime: guestUptime(guest, now),
    ...optional(guest),
  };
  if (guest.ha && guest.haState !== undefined) entry.hastate = guest.haState;
  return entry;
}

/** An entry of `GET /nodes/{node}/qemu` or `/lxc`. */
export function guestListEntry(guest: GuestState, now: number): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    vmid: guest.vmid,
    name: guest.name,
    status: guest.status,
    template: 0,
    cpus: 2,
    maxmem: GUEST_MAXMEM,
    uptime: guestUptime(guest, now),
    ...optional(guest),
  };
  if (guest.type === 'lxc') entry.type = 'lxc';
  return entry;
}

/** `GET …/{vmid}/status/current`: adds qmpstatus (qemu), ha and agent. */
export function guestStatus(guest: GuestState, now: number): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    vmid: guest.vmid,
    name: guest.name,
    status: guest.status,
    cpus: 2,
    maxmem: GUEST_MAXMEM,
    uptime: guestUptime(guest, now),
    ha: guest.ha ? { managed: 1, state: guest.haState } : { managed: 0 },
    ...optional(guest),
  };
  if (guest.type === 'qemu') {
    entry.qmpstatus = guest.status === 'stopped' ? 'stopped' : guest.paused ? 'paused' : 'running';
    if (guest.agent) entry.agent = 1;
  } else {
    entry.type = 'lxc';
  }
  return entry;
}

/** `GET /nodes/{node}/tasks/{upid}/status`: the token user is split into user and tokenid. */
export function taskStatus(task: SimTask): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    upid: task.upid,
    node: task.node,
    pid: task.pid,
    pstart: task.pstart,
    starttime: task.starttime,
    type: task.type,
    id: task.id,
    user: task.user,
    status: task.status,
  };
  if (task.tokenid !== undefined) entry.tokenid = task.tokenid;
  if (task.exitstatus !== undefined) entry.exitstatus = task.exitstatus;
  return entry;
}
