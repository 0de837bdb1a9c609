/**
 * Smart plugs (Tapo, Shelly) as drivers: `off`/`on` switch the relay,
 * verification reads it back, a probe reports the relay and the power drawn.
 */
import { ActionTimeoutError, TargetAuthError, TargetConfigError, TargetUnreachableError } from '../errors';
import type { Op } from '../policy/spec';
import { pause, withTimeout, type ActContext, type ActResult, type Driver, type ProbeResult } from './driver';

export interface PlugClient {
  status(): Promise<{ on: boolean; powerW?: number }>;
  set(on: boolean): Promise<void>;
  close(): void;
}

export class PlugDriver implements Driver {
  constructor(readonly target: string, private readonly where: string, private readonly connect: () => Promise<PlugClient>) {}

  async probe(context: Omit<ActContext, 'force'>): Promise<ProbeResult> {
    try {
      const status = await this.with(context, (client) => client.status());
      const power = status.powerW === undefined ? '' : `, ${status.powerW} W`;
      return {
        reachable: true, authenticated: true, state: status.on ? 'on' : 'off', detail: `${this.where}: relay ${status.on ? 'on' : 'off'}${power}`,
        ...(status.powerW === undefined ? {} : { powerW: status.powerW }),
      };
    } catch (error) {
      if (error instanceof TargetUnreachableError) return { reachable: false, authenticated: false, state: 'unknown', detail: error.message };
      if (error instanceof TargetAuthError) return { reachable: true, authenticated: false, state: 'unknown', detail: error.message };
      throw error;
    }
  }

  async act(op: Op, context: ActContext): Promise<ActResult> {
    const on = switchOf(op, this.where);
    await this.with(context, (client) => client.set(on));
    return { detail: `relay switched ${on ? 'on' : 'off'}` };
  }

  /** Reads the relay back until it shows the op (one client for all the reads: one session, one nonce). */
  async verify(op: Op, context: Omit<ActContext, 'force'>): Promise<boolean> {
    const on = switchOf(op, this.where);
    const deadline = Date.now() + context.timeoutMs;
    return this.with(context, async (client) => {
      while (Date.now() < deadline) {
        const status = await client.status().catch(() => undefined);
        if (status?.on === on) return true;
        await pause(Math.min(500, Math.max(0, deadline - Date.now())), context.signal);
      }
      return false;
    }).catch(() => false);
  }

  private async with<T>(context: Omit<ActContext, 'force'>, work: (client: PlugClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      return await withTimeout(work(client), context.timeoutMs, () => new ActionTimeoutError(`${this.where}: no answer within ${context.timeoutMs} ms`), context.signal);
    } finally {
      client.close();
    }
  }
}

function switchOf(op: Op, where: string): boolean {
  if (op === 'on') return true;
  if (op === 'off') return false;
  throw new TargetConfigError(`${where}: a plug can only switch on or off, not ${op}`);
}
