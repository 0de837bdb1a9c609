import { randomInt } from 'node:crypto';
import type { Principal } from './auth';
import { formatUpid } from './upid';

export interface SimTask {
  upid: string;
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  type: string;
  id: string;
  user: string;
  tokenid?: string;
  status: 'running' | 'stopped';
  /** Once stopped: `OK`, `WARNINGS: n`, or the error text. */
  exitstatus?: string;
}

/** The worker tasks of all nodes, by UPID. */
export class TaskTable {
  private readonly tasks = new Map<string, SimTask>();
  private nextPid = randomInt(0x1000, 0x40000);
  private nextPstart = randomInt(0x100000, 0x1000000);

  constructor(private readonly now: () => number) {}

  create(node: string, type: string, id: string, principal: Principal): SimTask {
    const pid = this.nextPid++;
    const pstart = this.nextPstart;
    this.nextPstart += randomInt(1, 200);
    const starttime = Math.floor(this.now() / 1000);
    const user = principal.tokenid === undefined ? principal.user : `${principal.user}!${principal.tokenid}`;
    const task: SimTask = {
      upid: formatUpid({ node, pid, pstart, starttime, type, id, user }),
      node, pid, pstart, starttime, type, id,
      user: principal.user,
      status: 'running',
    };
    if (principal.tokenid !== undefined) task.tokenid = principal.tokenid;
    this.tasks.set(task.upid, task);
    return task;
  }

  /** Ends a task; a task that already ended keeps its first outcome. */
  finish(task: SimTask, exitstatus: string): void {
    if (task.status !== 'running') return;
    task.status = 'stopped';
    task.exitstatus = exitstatus;
  }

  find(upid: string): SimTask | undefined {
    return this.tasks.get(upid);
  }

  runningOn(node: string): SimTask[] {
    return [...this.tasks.values()].filter((task) => task.node === node && task.status === 'running');
  }
}
