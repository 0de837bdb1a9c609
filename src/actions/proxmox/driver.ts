/**
 * Proxmox guests and nodes as a driver: the selected guests (all, ids or tags,
 * minus exclude) are shut down gracefully (forceStop when the policy forces),
 * stopped, or started; their tasks are followed by UPID, HA-managed guests by
 * their own status (their hastop task ends before they do). `poweroff` shuts
 * the node down after its guests.
 */
import { readFileSync } from 'node:fs';
import { ActionFailedError, ActionTimeoutError, TargetAuthError, TargetConfigError, TargetUnreachableError } from '../../errors';
import type { Op, ProxmoxTarget } from '../../policy/spec';
import { pause, type ActContext, type ActResult, type Driver, type ProbeResult, type SecretResolver } from '../driver';
import { ProxmoxApi } from './api';

interface Guest {
  vmid: number;
  type: 'qemu' | 'lxc';
  name?: string;
  status: string;
  tags?: string;
  template?: number;
}

interface TaskStatus {
  status: 'running' | 'stopped';
  exitstatus?: string;
}

const POLL_MS = 1000;

export class ProxmoxDriver implements Driver {
  private readonly where: string;

  constructor(readonly target: string, private readonly spec: ProxmoxTarget, private readonly secret: SecretResolver, private readonly pollMs = POLL_MS) {
    this.where = `proxmox ${target} (${spec.url} node ${spec.node})`;
  }

  async probe(context: Omit<ActContext, 'force'>): Promise<ProbeResult> {
    try {
      const api = await this.api(context.timeoutMs);
      const nodes = await api.get<Array<{ node: string; status: string }>>('/nodes');
      const node = nodes.find((entry) => entry.node === this.spec.node);
      if (!node) throw new TargetConfigError(`${this.where}: the cluster has no node "${this.spec.node}"`);
      const guests = await this.selected(api);
      const running = guests.filter((guest) => guest.status === 'running').length;
      return { reachable: true, authenticated: true, state: node.status === 'online' ? 'on' : 'off', detail: `${this.where}: node ${node.status}, ${running} of ${guests.length} selected guests running` };
    } catch (error) {
      if (error instanceof TargetUnreachableError) return { reachable: false, authenticated: false, state: 'unknown', detail: error.message };
      if (error instanceof TargetAuthError) return { reachable: true, authenticated: false, state: 'unknown', detail: error.message };
      throw error;
    }
  }

  async act(op: Op, context: ActContext): Promise<ActResult> {
    const deadline = Date.now() + context.timeoutMs;
    const api = await this.api(context.timeoutMs);
    switch (op) {
      case 'shutdown':
      case 'stop':
        return this.stopGuests(api, op, context, deadline);
      case 'start':
        return this.startGuests(api, context, deadline);
      case 'poweroff': {
        const guests = await this.stopGuests(api, 'shutdown', context, deadline);
        await api.post(`/nodes/${this.spec.node}/status`, { command: 'shutdown' });
        return { detail: `${guests.detail}; node ${this.spec.node} shutting down` };
      }
      default:
        throw new TargetConfigError(`${this.where}: a proxmox target cannot ${op}`);
    }
  }

  async verify(op: Op, context: Omit<ActContext, 'force'>): Promise<boolean> {
    const deadline = Date.now() + context.timeoutMs;
    const api = await this.api(context.timeoutMs);
    for (;;) {
      try {
        if (op === 'poweroff') {
          const nodes = await api.get<Array<{ node: string; status: string }>>('/nodes');
          if (nodes.find((entry) => entry.node === this.spec.node)?.status !== 'online') return true;
        } else {
          const want = op === 'start' ? 'running' : 'stopped';
          if ((await this.selected(api)).every((guest) => guest.status === want)) return true;
        }
      } catch (error) {
        // A node that went down takes its API with it.
        if (op === 'poweroff' && error instanceof TargetUnreachableError) return true;
      }
      if (Date.now() + this.pollMs > deadline) return false;
      await pause(this.pollMs, context.signal);
    }
  }

  private async api(timeoutMs: number): Promise<ProxmoxApi> {
    const ca = this.spec.ca_file === undefined ? undefined : readFileSync(this.spec.ca_file, 'utf8');
    return new ProxmoxApi({
      where: this.where, url: this.spec.url, token: await this.secret(this.spec.token.secretRef), timeoutMs: Math.min(timeoutMs, 30_000),
      ...(this.spec.tls_fingerprint === undefined ? {} : { fingerprint: this.spec.tls_fingerprint }), ...(ca === undefined ? {} : { ca }),
    });
  }

  /** The guests this target acts on: its selection, minus exclude, never templates. */
  private async selected(api: ProxmoxApi): Promise<Guest[]> {
    const node = this.spec.node;
    const [qemu, lxc] = await Promise.all([
      api.get<Guest[]>(`/nodes/${node}/qemu`), api.get<Guest[]>(`/nodes/${node}/lxc`),
    ]);
    const { guests, exclude = [] } = this.spec;
    return [...qemu.map((guest) => ({ ...guest, type: 'qemu' as const })), ...lxc.map((guest) => ({ ...guest, type: 'lxc' as const }))]
      .filter((guest) => !guest.template && !exclude.includes(guest.vmid))
      .filter((guest) => {
        if (guests?.ids) return guests.ids.includes(guest.vmid);
        if (guests?.tags) return (guest.tags ?? '').split(/[;,\s]+/).some((tag) => guests.tags!.includes(tag));
        return true;
      })
      .sort((a, b) => a.vmid - b.vmid);
  }

  private async stopGuests(api: ProxmoxApi, op: 'shutdown' | 'stop', context: ActContext, deadline: number): Promise<ActResult> {
    const running = (await this.selected(api)).filter((guest) => guest.status === 'running');
    const seconds = Math.max(1, Math.floor((deadline - Date.now()) / 1000) - 2);
    const outcomes = await Promise.allSettled(running.map(async (guest) => {
      const path = `/nodes/${this.spec.node}/${guest.type}/${guest.vmid}/status`;
      const params = op === 'shutdown' ? { timeout: seconds, ...(context.force ? { forceStop: 1 } : {}) } : {};
      let upid: string;
      try {
        upid = await api.post<string>(`${path}/${op}`, params);
      } catch (error) {
        // A paused VM refuses a graceful shutdown at once: stop it when the policy forces.
        if (op === 'shutdown' && context.force && error instanceof ActionFailedError && /paused/.test(error.message)) upid = await api.post<string>(`${path}/stop`);
        else throw error;
      }
      await this.follow(api, upid, guest, 'stopped', context, deadline);
    }));
    return this.summarise(op, running, outcomes);
  }

  private async startGuests(api: ProxmoxApi, context: ActContext, deadline: number): Promise<ActResult> {
    const stopped = (await this.selected(api)).filter((guest) => guest.status !== 'running');
    const outcomes = await Promise.allSettled(stopped.map(async (guest) => {
      const upid = await api.post<string>(`/nodes/${this.spec.node}/${guest.type}/${guest.vmid}/status/start`);
      await this.follow(api, upid, guest, 'running', context, deadline);
    }));
    return this.summarise('start', stopped, outcomes);
  }

  /** Until the task stops (by UPID); an HA guest's hastop/start task ends early, so its own status is followed too. */
  private async follow(api: ProxmoxApi, upid: string, guest: Guest, want: 'stopped' | 'running', context: ActContext, deadline: number): Promise<void> {
    const taskPath = `/nodes/${this.spec.node}/tasks/${encodeURIComponent(upid)}/status`;
    for (;;) {
      const task = await api.get<TaskStatus>(taskPath);
      if (task.status === 'stopped') {
        if (task.exitstatus !== 'OK' && !task.exitstatus?.startsWith('WARNINGS')) throw new ActionFailedError(`${guest.type} ${guest.vmid}: ${task.exitstatus ?? 'task failed'}`);
        break;
      }
      if (Date.now() + this.pollMs > deadline) throw new ActionTimeoutError(`${guest.type} ${guest.vmid}: task still running at the timeout`);
      await pause(this.pollMs, context.signal);
    }
    for (;;) {
      const current = await api.get<{ status: string }>(`/nodes/${this.spec.node}/${guest.type}/${guest.vmid}/status/current`);
      if (current.status === want) return;
      if (Date.now() + this.pollMs > deadline) throw new ActionTimeoutError(`${guest.type} ${guest.vmid}: still ${current.status} at the timeout`);
      await pause(this.pollMs, context.signal);
    }
  }

  /** All guests done, or one error naming each guest that was not; a refused token stays an auth error. */
  private summarise(op: string, guests: Guest[], outcomes: PromiseSettledResult<void>[]): ActResult {
    const reasons = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as Error] : []));
    if (reasons.length > 0) {
      const failed = outcomes.flatMap((outcome, index) => (outcome.status === 'rejected' ? [`${guests[index]!.vmid} (${(outcome.reason as Error).message.replace(`${this.where}: `, '')})`] : []));
      const message = `${this.where}: ${op} failed for ${failed.join('; ')}`;
      if (reasons.some((reason) => reason instanceof TargetAuthError)) throw new TargetAuthError(message);
      throw reasons.every((reason) => reason instanceof TargetUnreachableError) ? new TargetUnreachableError(message) : new ActionFailedError(message);
    }
    return { detail: guests.length === 0 ? `no selected guest needed to ${op}` : `${op}: ${guests.map((guest) => guest.vmid).join(', ')}` };
  }
}
