import { NutAuthError } from '../errors';
import type { Logger } from '../logger';
import { backoffDelay, Sleeper } from './backoff';
import type { NutClient } from './client';
import { connectConfigured } from './connect';
import type { NutServerConfig } from './server-config';

export interface LoginSessionEvents {
  /** upsd refused the login: an alarm, never silent. */
  onDenied(ups: string, error: NutAuthError): void;
  onLoggedIn(ups: string): void;
}

/**
 * upsmon's secondary login for one UPS: its own connection (upsd allows one
 * LOGIN per connection), kept alive under the 60 s idle limit and re-made when
 * it drops, so a NUT primary counts the hub among the clients it waits for
 * before cutting power. logout() is the hub saying "done, go ahead".
 */
export class LoginSession {
  private client: NutClient | undefined;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly sleeper = new Sleeper();

  constructor(
    private readonly config: NutServerConfig,
    readonly ups: string,
    private readonly events: LoginSessionEvents,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** LOGOUT (best effort) and stop; the primary may now proceed. */
  async logout(): Promise<void> {
    this.running = false;
    this.sleeper.cancel();
    const client = this.client;
    if (client !== undefined && !client.closed) {
      try {
        await client.logout();
      } catch (error) {
        this.logger.debug({ err: error, ups: this.ups }, 'LOGOUT failed; closing');
        client.close();
      }
    }
    await this.loop;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (this.running) {
      try {
        const client = await this.connect();
        attempt = 0;
        this.events.onLoggedIn(this.ups);
        await this.keepAlive(client);
      } catch (error) {
        if (!this.running) return;
        attempt += 1;
        if (error instanceof NutAuthError) this.events.onDenied(this.ups, error);
        else this.logger.warn({ err: error, ups: this.ups }, 'NUT login session lost; reconnecting');
        // A refused login will not fix itself quickly: wait the longest delay before asking again.
        const delay = error instanceof NutAuthError ? this.config.reconnect.maxDelayMs : backoffDelay(this.config.reconnect, attempt);
        await this.sleeper.sleep(delay);
      }
    }
  }

  private async connect(): Promise<NutClient> {
    this.client = await connectConfigured(this.config, async (client) => {
      this.client = client;
      await client.username(this.config.username ?? '');
      await client.password(this.config.password ?? '');
      await client.login(this.ups);
    });
    return this.client;
  }

  private async keepAlive(client: NutClient): Promise<void> {
    const closed = new Promise<void>((resolve) => client.onClose(() => resolve()));
    while (this.running && !client.closed) {
      await Promise.race([this.sleeper.sleep(this.config.keepaliveMs), closed]);
      if (!this.running || client.closed) break;
      await client.getNumLogins(this.ups);
    }
    if (this.running) throw new Error('login connection closed');
  }
}
