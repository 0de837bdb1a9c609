import { handlerError } from './api-error';
import type { Principal } from './auth';
import type { Scheduler } from './scheduler';
import type { TaskTable } from './tasks';
import type { GuestState, NodeState, World } from './world';

export interface PowerContext {
  world: World;
  tasks: TaskTable;
  scheduler: Scheduler;
  taskMs: number;
  now: () => number;
}

export interface ShutdownOptions {
  /** Seconds, as the API takes it; the simulator waits that many seconds, so tests pass small values. */
  timeoutS: number;
  forceStop: boolean;
}

/** What the power endpoints do to guests and nodes, and the tasks that report it (PROTOCOLS.md §2.3-2.5). */
export class Power {
  constructor(private readonly ctx: PowerContext) {}

  /** qemu/lxc `status/shutdown`: returns the UPID, or throws the synchronous refusals. */
  shutdown(guest: GuestState, principal: Principal, options: ShutdownOptions): string {
    const { world, tasks, scheduler } = this.ctx;
    if (guest.type === 'lxc' && guest.status !== 'running') throw handlerError(`CT ${guest.vmid} not running`);
    const timeoutMs = options.timeoutS * 1000;
    // a paused VM would take the ACPI request only once resumed, so PVE refuses (or, with forceStop, stops it)
    let hardStop = false;
    if (guest.paused) {
      if (!options.forceStop) throw handlerError('VM is paused - cannot shutdown');
      hardStop = true;
    }
    if (guest.ha) return this.haStop(guest, principal, hardStop ? this.ctx.taskMs : Math.min(this.gracefulMs(guest), timeoutMs));

    const task = tasks.create(guest.node, `${this.prefix(guest)}shutdown`, String(guest.vmid), principal);
    if (guest.status === 'stopped') {
      tasks.finish(task, 'OK');
      return task.upid;
    }
    const quit = (): void => tasks.finish(task, 'OK');
    guest.stopWaiters.add(quit);
    const grace = hardStop ? this.ctx.taskMs : this.gracefulMs(guest);
    // a guest that got the ACPI request still powers off later, even after the task gave up
    if (Number.isFinite(grace)) this.stopLater(guest, grace);
    if (hardStop) return task.upid;
    scheduler.after(timeoutMs, () => {
      if (task.status !== 'running') return;
      guest.stopWaiters.delete(quit);
      if (options.forceStop) {
        world.markStopped(guest);
        tasks.finish(task, 'WARNINGS: 1');
      } else {
        tasks.finish(task, 'VM quit/powerdown failed - got timeout');
      }
    });
    return task.upid;
  }

  /** qemu/lxc `status/stop`. */
  stop(guest: GuestState, principal: Principal): string {
    const { tasks } = this.ctx;
    if (guest.type === 'lxc' && guest.status !== 'running') throw handlerError(`CT ${guest.vmid} not running`);
    if (guest.ha) return this.haStop(guest, principal, this.ctx.taskMs);
    const task = tasks.create(guest.node, `${this.prefix(guest)}stop`, String(guest.vmid), principal);
    if (guest.status === 'stopped') {
      tasks.finish(task, 'OK');
      return task.upid;
    }
    guest.stopWaiters.add(() => tasks.finish(task, 'OK'));
    this.stopLater(guest, this.ctx.taskMs);
    return task.upid;
  }

  /** qemu/lxc `status/start`: a running VM fails inside its task, a running CT at once. */
  start(guest: GuestState, principal: Principal): string {
    const { tasks, scheduler } = this.ctx;
    if (guest.type === 'lxc' && guest.status === 'running') throw handlerError(`CT ${guest.vmid} already running`);
    if (guest.ha) {
      guest.haState = 'started';
      const task = tasks.create(guest.node, 'hastart', String(guest.vmid), principal);
      tasks.finish(task, 'OK');
      this.startLater(guest, this.ctx.taskMs);
      return task.upid;
    }
    const task = tasks.create(guest.node, `${this.prefix(guest)}start`, String(guest.vmid), principal);
    const alreadyRunning = `VM ${guest.vmid} already running`;
    if (guest.status === 'running') {
      tasks.finish(task, alreadyRunning);
      return task.upid;
    }
    scheduler.after(this.ctx.taskMs, () => {
      if (task.status !== 'running') return;
      if (guest.status === 'running') {
        tasks.finish(task, alreadyRunning);
        return;
      }
      this.ctx.world.markRunning(guest);
      tasks.finish(task, 'OK');
    });
    return task.upid;
  }

  /**
   * `POST /nodes/{node}/status`: PVE answers at once and powers off in the
   * background; after taskMs the guests are down and the node is offline
   * (a reboot comes back online another taskMs later, its guests still stopped).
   */
  nodeCommand(node: NodeState, command: 'shutdown' | 'reboot'): void {
    const { world, tasks, scheduler } = this.ctx;
    scheduler.after(this.ctx.taskMs, () => {
      if (node.status !== 'online') return;
      for (const guest of world.guestsOn(node.name)) world.markStopped(guest);
      for (const task of tasks.runningOn(node.name)) tasks.finish(task, 'unexpected status');
      node.status = 'offline';
      if (command === 'reboot') {
        scheduler.after(this.ctx.taskMs, () => {
          node.status = 'online';
          node.bootedAt = this.ctx.now();
        });
      }
    });
  }

  /**
   * `POST /nodes/{node}/stopall`: shuts the running guests down in parallel, each
   * within `timeout`; the ones that did not make it count as warnings.
   */
  stopAll(node: NodeState, principal: Principal, vms: Set<number> | undefined, options: ShutdownOptions): string {
    const { world, tasks, scheduler } = this.ctx;
    const task = tasks.create(node.name, 'stopall', '', principal);
    const timeoutMs = options.timeoutS * 1000;
    let endMs = 0;
    let warnings = 0;
    for (const guest of world.guestsOn(node.name)) {
      if (guest.status !== 'running' || (vms !== undefined && !vms.has(guest.vmid))) continue;
      if (guest.ha) guest.haState = 'stopped';
      const grace = guest.paused ? (options.forceStop ? this.ctx.taskMs : Infinity) : this.gracefulMs(guest);
      if (grace <= timeoutMs) {
        this.stopLater(guest, grace);
        endMs = Math.max(endMs, grace);
        continue;
      }
      warnings += 1;
      endMs = Math.max(endMs, timeoutMs);
      if (options.forceStop) this.stopLater(guest, timeoutMs);
      else if (Number.isFinite(grace) && !guest.paused) this.stopLater(guest, grace);
    }
    scheduler.after(endMs, () => tasks.finish(task, warnings === 0 ? 'OK' : `WARNINGS: ${warnings}`));
    return task.upid;
  }

  /** `POST /nodes/{node}/startall`: starts the stopped guests (the simulator has no onboot flag: all of them). */
  startAll(node: NodeState, principal: Principal, vms: Set<number> | undefined): string {
    const { world, tasks, scheduler } = this.ctx;
    const task = tasks.create(node.name, 'startall', '', principal);
    let started = 0;
    for (const guest of world.guestsOn(node.name)) {
      if (guest.status !== 'stopped' || (vms !== undefined && !vms.has(guest.vmid))) continue;
      if (guest.ha) guest.haState = 'started';
      this.startLater(guest, this.ctx.taskMs);
      started += 1;
    }
    scheduler.after(started === 0 ? 0 : this.ctx.taskMs, () => tasks.finish(task, 'OK'));
    return task.upid;
  }

  /** An HA guest: the quick `hastop` task only hands the request to the HA manager; the guest stops later. */
  private haStop(guest: GuestState, principal: Principal, stopAfterMs: number): string {
    guest.haState = 'stopped';
    const task = this.ctx.tasks.create(guest.node, 'hastop', String(guest.vmid), principal);
    this.ctx.tasks.finish(task, 'OK');
    if (guest.status === 'running') this.stopLater(guest, stopAfterMs);
    return task.upid;
  }

  private gracefulMs(guest: GuestState): number {
    return guest.behaviour === 'ignore' ? Infinity : (guest.shutdownTakesMs ?? this.ctx.taskMs);
  }

  private prefix(guest: GuestState): string {
    return guest.type === 'qemu' ? 'qm' : 'vz';
  }

  /** Stops the guest after ms, unless it was started or stopped meanwhile. */
  private stopLater(guest: GuestState, ms: number): void {
    const epoch = guest.epoch;
    this.ctx.scheduler.after(ms, () => {
      if (guest.epoch === epoch) this.ctx.world.markStopped(guest);
    });
  }

  /** Starts the guest after ms, unless it changed meanwhile or its node went down. */
  private startLater(guest: GuestState, ms: number): void {
    const epoch = guest.epoch;
    this.ctx.scheduler.after(ms, () => {
      if (guest.epoch !== epoch || this.ctx.world.nodes.get(guest.node)?.status !== 'online') return;
      this.ctx.world.markRunning(guest);
    });
  }
}
