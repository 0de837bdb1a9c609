/**
 * The UPS's own final power-off through our NUT client: INSTCMD
 * `shutdown.return` (the UPS turns the load off after ups.delay.shutdown and
 * back on with the mains) or, with `method: fsd`, forced shutdown as a primary.
 */
import { ActionFailedError, NutAuthError, NutConnectionError, NutProtocolError, TargetAuthError, TargetConfigError, TargetUnreachableError } from '../errors';
import { NutClient } from '../nut/client';
import type { Op, UpsTarget } from '../policy/spec';
import { parseUpsRef } from '../policy/ups-ref';
import { pause, withTimeout, type ActContext, type ActResult, type Driver, type ProbeResult, type SecretResolver } from './driver';

export class UpsDriver implements Driver {
  private readonly ref;

  constructor(readonly target: string, private readonly spec: UpsTarget, private readonly secret: SecretResolver) {
    this.ref = parseUpsRef(spec.ups);
  }

  private get where(): string {
    return `ups ${this.target} (${this.spec.ups})`;
  }

  async probe(context: Omit<ActContext, 'force'>): Promise<ProbeResult> {
    try {
      const status = await this.session(context.timeoutMs, context.signal, false, (client) => client.getVar(this.ref.name, 'ups.status'));
      const off = status.split(' ').includes('OFF');
      return { reachable: true, authenticated: true, state: off ? 'off' : 'on', detail: `${this.where}: ups.status ${status}` };
    } catch (error) {
      if (error instanceof TargetUnreachableError) return { reachable: false, authenticated: false, state: 'unknown', detail: error.message };
      if (error instanceof TargetAuthError) return { reachable: true, authenticated: false, state: 'unknown', detail: error.message };
      throw error;
    }
  }

  async act(op: Op, context: ActContext): Promise<ActResult> {
    if (op !== 'poweroff') throw new TargetConfigError(`${this.where}: a ups target can only poweroff, not ${op}`);
    const fsd = this.spec.method === 'fsd';
    await this.session(context.timeoutMs, context.signal, true, async (client) => {
      if (fsd) {
        await client.primary(this.ref.name);
        await client.fsd(this.ref.name);
      } else {
        await client.instcmd(this.ref.name, 'shutdown.return');
      }
    });
    return { detail: fsd ? 'forced shutdown (FSD) set' : 'shutdown.return accepted: the load goes off after ups.delay.shutdown and returns with the mains' };
  }

  /** FSD shows in ups.status; shutdown.return as a running ups.timer.shutdown, OFF, or a UPS that went silent. */
  async verify(op: Op, context: Omit<ActContext, 'force'>): Promise<boolean> {
    if (op !== 'poweroff') return false;
    const deadline = Date.now() + context.timeoutMs;
    while (Date.now() < deadline) {
      try {
        const seen = await this.session(Math.max(500, deadline - Date.now()), context.signal, false, async (client) => {
          const status = (await client.getVar(this.ref.name, 'ups.status')).split(' ');
          if (status.includes('FSD') || status.includes('OFF')) return true;
          if (this.spec.method === 'fsd') return false;
          const timer = await client.getVar(this.ref.name, 'ups.timer.shutdown').catch(() => '-1');
          return Number(timer) >= 0;
        });
        if (seen) return true;
      } catch (error) {
        // The UPS (or its driver) stopped answering: its load is off.
        if (error instanceof TargetUnreachableError && this.spec.method !== 'fsd') return true;
        if (!(error instanceof TargetUnreachableError)) throw error;
      }
      await pause(Math.min(1000, Math.max(0, deadline - Date.now())), context.signal);
    }
    return false;
  }

  private async session<T>(timeoutMs: number, signal: AbortSignal, login: boolean, work: (client: NutClient) => Promise<T>): Promise<T> {
    let client: NutClient | undefined;
    const run = async (): Promise<T> => {
      client = await NutClient.connect({ host: this.ref.host ?? 'localhost', port: this.ref.port, timeoutMs, connectTimeoutMs: timeoutMs });
      if (login) {
        const credentials = await this.secret(this.spec.credentials.secretRef);
        const colon = credentials.indexOf(':');
        if (colon < 1) throw new TargetConfigError(`${this.where}: secret "${this.spec.credentials.secretRef}" must hold user:password`);
        await client.username(credentials.slice(0, colon));
        await client.password(credentials.slice(colon + 1));
      }
      return work(client);
    };
    try {
      return await withTimeout(run(), timeoutMs, () => new TargetUnreachableError(`${this.where}: upsd did not answer within ${timeoutMs} ms`), signal);
    } catch (error) {
      throw this.classify(error);
    } finally {
      if (client) {
        await client.logout().catch(() => undefined);
        client.close();
      }
    }
  }

  private classify(error: unknown): unknown {
    if (error instanceof NutAuthError) {
      return new TargetAuthError(`${this.where}: upsd refused the account in secret "${this.spec.credentials.secretRef}" (${error.nutCode}); it needs \`instcmds = shutdown.return\`${this.spec.method === 'fsd' ? ' or `upsmon primary`' : ''} in upsd.users`);
    }
    if (error instanceof NutProtocolError) {
      const hint = error.nutCode === 'CMD-NOT-SUPPORTED' ? ': this UPS\'s driver does not offer shutdown.return (see `upscmd -l`; `method: fsd` hands the power-off to upsmon)' : '';
      const transient = error.nutCode === 'DATA-STALE' || error.nutCode === 'DRIVER-NOT-CONNECTED';
      return transient ? new TargetUnreachableError(`${this.where}: ${error.nutCode}`, { cause: error }) : new ActionFailedError(`${this.where}: upsd answered ${error.nutCode}${hint}`, { cause: error });
    }
    if (error instanceof NutConnectionError) return new TargetUnreachableError(`${this.where}: ${error.message}`, { cause: error });
    return error;
  }
}
