import { ApiError, handlerError } from './api-error';
import { checkNodeName, VMID_RANGE } from './params';

export type GuestType = 'qemu' | 'lxc';
export type HaState = 'started' | 'stopped';

export interface SimGuest {
  vmid: number;
  type: GuestType;
  node: string;
  name: string;
  status: 'running' | 'stopped';
  /** A running qemu VM whose QMP status is 'paused'. */
  paused?: boolean;
  tags?: string[];
  ha?: boolean;
  /** 'acpi': obeys a graceful shutdown after shutdownTakesMs; 'ignore': never stops on a graceful shutdown (so the task times out, or forceStop kills it). */
  behaviour?: 'acpi' | 'ignore';
  /** Default: the simulator's taskMs. */
  shutdownTakesMs?: number;
  /** qemu: the guest agent is configured (`agent: 1` in status/current). */
  agent?: boolean;
  /** Shown in the listings (e.g. 'backup'); the simulator does not enforce it. */
  lock?: string;
}

/** A guest as the simulator keeps it. */
export interface GuestState {
  vmid: number;
  type: GuestType;
  node: string;
  name: string;
  status: 'running' | 'stopped';
  paused: boolean;
  tags: string[];
  ha: boolean;
  /** The HA manager's requested state; only for HA-managed guests. */
  haState: HaState | undefined;
  behaviour: 'acpi' | 'ignore';
  shutdownTakesMs: number | undefined;
  agent: boolean;
  lock: string | undefined;
  startedAt: number;
  /** Bumped on every start and stop, so a delayed effect can tell the guest moved on. */
  epoch: number;
  /** Called once when the guest next stops (shutdown tasks wait on this). */
  stopWaiters: Set<() => void>;
}

export interface NodeState {
  name: string;
  status: 'online' | 'offline';
  bootedAt: number;
}

const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9_+.-]*$/;

export function configPath(node: string, type: GuestType, vmid: number): string {
  return `nodes/${node}/${type === 'qemu' ? 'qemu-server' : 'lxc'}/${vmid}.conf`;
}

/** The nodes and guests of the simulated cluster. */
export class World {
  readonly nodes = new Map<string, NodeState>();
  readonly guests = new Map<number, GuestState>();

  constructor(private readonly now: () => number) {}

  addNode(name: string): void {
    if (checkNodeName(name) !== undefined) throw new Error(`"${name}" is not a valid node name`);
    if (!this.nodes.has(name)) this.nodes.set(name, { name, status: 'online', bootedAt: this.now() });
  }

  /** Adds a guest (and its node, if new). */
  addGuest(guest: SimGuest): void {
    const { vmid } = guest;
    if (!Number.isInteger(vmid) || vmid < VMID_RANGE.minimum || vmid > VMID_RANGE.maximum) throw new Error(`VMID ${vmid} is out of range`);
    if (this.guests.has(vmid)) throw new Error(`VMID ${vmid} already exists`);
    if (guest.type !== 'qemu' && guest.type !== 'lxc') throw new Error(`guest ${vmid}: type must be qemu or lxc`);
    if (guest.status !== 'running' && guest.status !== 'stopped') throw new Error(`guest ${vmid}: status must be running or stopped`);
    if (guest.paused && (guest.type !== 'qemu' || guest.status !== 'running')) throw new Error(`guest ${vmid}: only a running qemu VM can be paused`);
    for (const tag of guest.tags ?? []) if (!TAG.test(tag)) throw new Error(`guest ${vmid}: "${tag}" is not a valid tag`);
    this.addNode(guest.node);
    this.guests.set(vmid, {
      vmid,
      type: guest.type,
      node: guest.node,
      name: guest.name,
      status: guest.status,
      paused: guest.paused ?? false,
      tags: [...(guest.tags ?? [])],
      ha: guest.ha ?? false,
      haState: guest.ha ? (guest.status === 'running' ? 'started' : 'stopped') : undefined,
      behaviour: guest.behaviour ?? 'acpi',
      shutdownTakesMs: guest.shutdownTakesMs,
      agent: guest.agent ?? false,
      lock: guest.lock,
      startedAt: this.now(),
      epoch: 0,
      stopWaiters: new Set(),
    });
  }

  /** The public view of a guest's current state. */
  snapshot(vmid: number): SimGuest {
    const g = this.guests.get(vmid);
    if (!g) throw new Error(`no simulated guest ${vmid}`);
    const view: SimGuest = { vmid, type: g.type, node: g.node, name: g.name, status: g.status, behaviour: g.behaviour };
    if (g.paused) view.paused = true;
    if (g.tags.length > 0) view.tags = [...g.tags];
    if (g.ha) view.ha = true;
    if (g.shutdownTakesMs !== undefined) view.shutdownTakesMs = g.shutdownTakesMs;
    if (g.agent) view.agent = true;
    if (g.lock !== undefined) view.lock = g.lock;
    return view;
  }

  requireNode(name: string): NodeState {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no simulated node "${name}"`);
    return node;
  }

  /** An API request's node: unknown names fail as the proxy's lookup does; offline nodes cannot be reached. */
  reachableNode(name: string): NodeState {
    const node = this.nodes.get(name);
    if (!node) throw handlerError(`hostname lookup '${name}' failed - failed to get address info for: ${name}: Name or service not known`);
    if (node.status !== 'online') throw new ApiError(595, 'Errors during connection establishment, proxy handshake: No route to host');
    return node;
  }

  /** A guest named by an API path; on another node or of another type it does not exist there. */
  findGuest(node: string, type: GuestType, vmid: number): GuestState {
    const guest = this.guests.get(vmid);
    if (!guest || guest.node !== node || guest.type !== type) {
      throw handlerError(`Configuration file '${configPath(node, type, vmid)}' does not exist`);
    }
    return guest;
  }

  guestsOn(node: string, type?: GuestType): GuestState[] {
    return [...this.guests.values()].filter((g) => g.node === node && (type === undefined || g.type === type)).sort((a, b) => a.vmid - b.vmid);
  }

  allGuests(): GuestState[] {
    return [...this.guests.values()].sort((a, b) => a.vmid - b.vmid);
  }

  markStopped(guest: GuestState): void {
    if (guest.status === 'stopped') return;
    guest.status = 'stopped';
    guest.paused = false;
    guest.epoch += 1;
    const waiters = [...guest.stopWaiters];
    guest.stopWaiters.clear();
    for (const waiter of waiters) waiter();
  }

  markRunning(guest: GuestState): void {
    if (guest.status === 'running') return;
    guest.status = 'running';
    guest.startedAt = this.now();
    guest.epoch += 1;
  }
}
