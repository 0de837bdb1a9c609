/**
 * The job runner: every action becomes a `jobs` row moving queued → sent →
 * acknowledged → completed | failed | cancelled. Per stage at most
 * `concurrency` jobs run at once; each has the request's timeout for acting
 * and verifying; only transient errors are retried; a dry run only probes.
 * Each state change goes on the bus; each end goes into `events`.
 */
import type { Knex } from 'knex';
import type { EventBus } from '../bus';
import { ActionError, ActionTimeoutError } from '../errors';
import type { Logger } from '../logger';
import type { Op, Target } from '../policy/spec';
import { redactSecrets } from '../store/audit';
import { Job } from '../store/models';
import { pause, type Driver } from './driver';
import { JobRows } from './job-rows';
import { Semaphore } from './semaphore';

export type JobState = Job['state'];

/** What a node or a command asks for: from a policy's action request, or by hand (`{ target, op }`). */
export interface JobRequest {
  target: string;
  op: Op;
  runId?: string;
  policy?: string;
  stage?: string;
  /** Milliseconds for acting and verifying together. */
  timeout?: number;
  dryRun?: boolean;
  force?: boolean;
  /** Only check on the device whether `op` already took effect (after a hub restart). */
  verify?: boolean;
}

export interface JobUpdate {
  jobId: number;
  state: JobState;
  target: string;
  op: Op;
  runId?: string;
  policy?: string;
  stage?: string;
  dryRun: boolean;
  attempts: number;
  detail?: string;
  error?: string;
}

/** The end of a job, in the shape the policy node takes back as an action result. */
export interface JobResult extends JobUpdate {
  state: 'completed' | 'failed' | 'cancelled';
  outcome: 'done' | 'failed';
}

export interface RunnerOptions {
  knex: Knex;
  siteId: number;
  bus: EventBus;
  logger: Logger;
  /** The targets the rules define now. */
  targets(): ReadonlyMap<string, Target>;
  driverFor(name: string, target: Target): Driver;
  concurrency?: number;
  retries?: number;
  retryDelayMs?: number;
  defaultTimeoutMs?: number;
}

const MANUAL = '(by hand)';

export class JobRunner {
  private readonly slots = new Map<string, Semaphore>();
  private readonly waiting = new Map<number, AbortController>();
  private readonly rows: JobRows;

  constructor(private readonly options: RunnerOptions) {
    this.rows = new JobRows(options.knex);
  }

  /** Runs one job to its end; `observe` sees each of its state changes (as the bus does). */
  async submit(request: JobRequest, observe?: (update: JobUpdate) => void): Promise<JobResult> {
    const target = this.options.targets().get(request.target);
    const job = await this.insert(request);
    const update = this.updater(job, request, observe);
    if (!target) return update.finish('failed', { error: `no target named "${request.target}" in the rules` });
    let driver: Driver;
    try {
      driver = this.options.driverFor(request.target, target);
    } catch (error) {
      return update.finish('failed', { error: messageOf(error) });
    }

    const key = `${request.runId ?? MANUAL}/${request.stage ?? MANUAL}`;
    const slots = this.slots.get(key) ?? new Semaphore(this.options.concurrency ?? 16);
    this.slots.set(key, slots);
    const abort = new AbortController();
    this.waiting.set(job.id, abort);
    let release: (() => void) | undefined;
    try {
      release = await Promise.race([slots.acquire(), new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(new Error('cancelled')), { once: true }))]);
    } catch {
      return update.finish('cancelled', { error: 'cancelled before it was sent' });
    } finally {
      this.waiting.delete(job.id);
    }
    try {
      return await this.execute(driver, request, update);
    } finally {
      release?.();
      if (slots.idle) this.slots.delete(key);
    }
  }

  /** Cancels the jobs of a run still waiting for a slot; returns how many. */
  cancel(runId: string): Promise<number> {
    return this.options.knex.transaction(async (trx) => {
      const pending = await Job.query(trx).where({ site_id: this.options.siteId, run_id: runId, state: 'queued' });
      for (const job of pending) this.waiting.get(job.id)?.abort();
      return pending.length;
    });
  }

  /**
   * Jobs a previous process left between queued and finished: each is checked
   * on its device. Done there → completed; not done → failed (the policy sends
   * it again after its own verification); nothing is sent from here.
   */
  async recover(): Promise<JobResult[]> {
    const left = await Job.query(this.options.knex).where({ site_id: this.options.siteId }).whereIn('state', ['queued', 'sent', 'acknowledged']);
    const results: JobResult[] = [];
    for (const job of left) {
      const request: JobRequest = { target: job.target, op: job.op as Op, ...(job.run_id ? { runId: job.run_id } : {}), ...(job.stage ? { stage: job.stage } : {}), dryRun: Boolean(job.dry_run) };
      const update = this.updater(job, request);
      if (job.state === 'queued' || request.dryRun) {
        results.push(await update.finish('failed', { error: 'interrupted by a hub restart before it was sent' }));
        continue;
      }
      const target = this.options.targets().get(job.target);
      if (!target) {
        results.push(await update.finish('failed', { error: 'interrupted by a hub restart; the target is no longer in the rules' }));
        continue;
      }
      const verified = await this.options.driverFor(job.target, target)
        .verify(request.op, { timeoutMs: this.options.defaultTimeoutMs ?? 60_000, signal: new AbortController().signal })
        .catch(() => false);
      results.push(await (verified
        ? update.finish('completed', { detail: 'interrupted by a hub restart; verified done on the device' })
        : update.finish('failed', { error: 'interrupted by a hub restart; not done on the device' })));
    }
    return results;
  }

  private async execute(driver: Driver, request: JobRequest, update: Updater): Promise<JobResult> {
    const timeoutMs = request.timeout ?? this.options.defaultTimeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    const left = (): number => Math.max(1, deadline - Date.now());
    const signal = AbortSignal.timeout(timeoutMs);
    if (request.dryRun) {
      // Nothing that changes a device: a probe, and what would have been done.
      const probe = await driver.probe({ timeoutMs: left(), signal }).catch((error: unknown) => ({ detail: messageOf(error) }));
      return update.finish('completed', { detail: `dry run: would ${request.op} ${request.target}${request.force ? ' (force)' : ''}; probe: ${probe.detail}` });
    }
    if (request.verify) {
      await update.to('sent');
      const done = await driver.verify(request.op, { timeoutMs: left(), signal }).catch(() => false);
      return done ? update.finish('completed', { detail: `verified: ${request.op} took effect` }) : update.finish('failed', { error: `verified: ${request.op} did not take effect on the device` });
    }
    const retries = this.options.retries ?? 2;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await update.to('sent', { attempts: attempt });
        const acted = await driver.act(request.op, { timeoutMs: left(), signal, force: request.force === true });
        await update.to('acknowledged', { detail: acted.detail });
        if (await driver.verify(request.op, { timeoutMs: left(), signal })) return update.finish('completed', { detail: acted.detail });
        return update.finish('failed', { error: `${request.op} was accepted but not seen on the device within ${timeoutMs} ms` });
      } catch (error) {
        const timedOut = signal.aborted || Date.now() >= deadline;
        const transient = error instanceof ActionError && error.transient;
        if (!transient || timedOut || attempt > retries) {
          const message = timedOut && !(error instanceof ActionError) ? new ActionTimeoutError(`${request.target}: ${request.op} took longer than ${timeoutMs} ms`).message : messageOf(error);
          return update.finish('failed', { error: message });
        }
        this.options.logger.warn({ target: request.target, op: request.op, attempt, err: messageOf(error) }, 'transient failure: retrying');
        await pause(Math.min(this.options.retryDelayMs ?? 1000, left()), signal).catch(() => undefined);
      }
    }
  }

  private async insert(request: JobRequest): Promise<{ id: number; attempts: number }> {
    const now = Date.now();
    const id = await this.rows.insert({
      site_id: this.options.siteId, run_id: request.runId ?? null, stage: request.stage ?? null, target: request.target, op: request.op,
      state: 'queued', dry_run: request.dryRun === true, attempts: 0, queued_at: now, created_at: now, updated_at: now,
    });
    return { id, attempts: 0 };
  }

  private updater(job: { id: number; attempts?: number; state?: JobState }, request: JobRequest, observe?: (update: JobUpdate) => void): Updater {
    const { bus, siteId } = this.options;
    let attempts = job.attempts ?? 0;
    // Only an action that reached a device is audited: not a dry run, a verification or a job that never left the queue
    // (a job recovered after a restart was sent by the process that died, which could not audit it).
    let sentToDevice = request.dryRun !== true && (job.state === 'sent' || job.state === 'acknowledged');
    const publish = (state: JobState, extra: { detail?: string; error?: string }): JobUpdate => {
      const payload: JobUpdate = {
        jobId: job.id, state, target: request.target, op: request.op, dryRun: request.dryRun === true, attempts,
        ...(request.runId ? { runId: request.runId } : {}), ...(request.policy ? { policy: request.policy } : {}),
        ...(request.stage ? { stage: request.stage } : {}), ...(extra.detail ? { detail: extra.detail } : {}), ...(extra.error ? { error: extra.error } : {}),
      };
      bus.emitJobUpdate(payload);
      observe?.(payload);
      return payload;
    };
    return {
      to: async (state, extra = {}) => {
        if (extra.attempts !== undefined) attempts = extra.attempts;
        if (state === 'sent' && request.dryRun !== true && request.verify !== true) sentToDevice = true;
        const now = Date.now();
        await this.rows.update(job.id, {
          state, attempts, updated_at: now,
          ...(state === 'sent' ? { sent_at: now } : {}), ...(state === 'acknowledged' ? { acknowledged_at: now, result: extra.detail ?? null } : {}),
        });
        publish(state, extra);
      },
      finish: async (state, extra) => {
        const now = Date.now();
        await this.rows.finish(job.id, { state, attempts, finished_at: now, updated_at: now, result: extra.detail ?? null, error: extra.error ?? null }, {
          created_at: now, updated_at: now, site_id: siteId, ts: now, severity: state === 'completed' ? 'info' : state === 'cancelled' ? 'warning' : 'error',
          type: `job.${state}`, source: `target:${request.target}`,
          message: `${request.op} ${request.target}${request.dryRun ? ' (dry run)' : ''}: ${state}${extra.error ? `: ${extra.error}` : extra.detail ? `: ${extra.detail}` : ''}`,
          data: JSON.stringify({ jobId: job.id, runId: request.runId, stage: request.stage }),
        }, sentToDevice ? auditRow(siteId, now, job.id, request, state, extra) : undefined);
        return { ...publish(state, extra), state, outcome: state === 'completed' ? 'done' : 'failed' };
      },
    };
  }
}

interface Updater {
  to(state: 'sent' | 'acknowledged', extra?: { detail?: string; attempts?: number }): Promise<void>;
  finish(state: JobResult['state'], extra: { detail?: string; error?: string }): Promise<JobResult>;
}

/** Who acted on which target, and how it ended: the audit trail of every action sent to a device. */
function auditRow(siteId: number, now: number, jobId: number, request: JobRequest, state: JobState, extra: { detail?: string; error?: string }): Record<string, string | number | null> {
  return {
    site_id: siteId, ts: now, created_at: now, updated_at: now,
    actor: request.policy ? `policy:${request.policy}` : 'walnut', action: `target.${request.op}`, resource: `target/${request.target}`,
    before: null, after: JSON.stringify(redactSecrets({ jobId, state, runId: request.runId, stage: request.stage, force: request.force === true, detail: extra.detail, error: extra.error })),
    ip: null, user_agent: null,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown error';
}
