import type { EventBus } from '../bus';
import { NutAuthError, NutConnectionError, NutProtocolError } from '../errors';
import type { Logger } from '../logger';
import { backoffDelay, Sleeper } from './backoff';
import type { NutClient } from './client';
import { connectConfigured } from './connect';
import { eventsBetween, type NutEvent } from './events';
import { LoginSession } from './login-session';
import { serverAddress, type NutServerConfig } from './server-config';
import { commLossSnapshot, type CommState, snapshotFromVars, type UpsSnapshot } from './snapshot';

interface UpsTrack {
  previous?: UpsSnapshot;
  lastGood?: UpsSnapshot;
  commLostSince?: number;
  noCommReported: boolean;
}

/** upsd's per-UPS answers that mean "no data now", not "the connection is broken". */
const COMM_CODES: Record<string, Exclude<CommState, 'ok'>> = {
  'DATA-STALE': 'data-stale',
  'DRIVER-NOT-CONNECTED': 'driver-not-connected',
};

/**
 * Watches every UPS of one upsd server over one persistent connection: one
 * LIST VAR per UPS per poll (pipelined), snapshots and events on the bus,
 * reconnection with capped backoff and jitter. With credentials it also keeps
 * a secondary LOGIN per UPS (LoginSession).
 */
export class NutPoller {
  readonly server: string;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private client: NutClient | undefined;
  private upsNames: string[] = [];
  private readonly tracks = new Map<string, UpsTrack>();
  private readonly sessions = new Map<string, LoginSession>();
  private readonly sleeper = new Sleeper();
  private noCommTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: NutServerConfig,
    private readonly bus: EventBus,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.server = serverAddress(config);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
    this.noCommTimer = setInterval(() => this.checkNoComm(), Math.min(1000, this.config.noCommAfterMs));
    this.noCommTimer.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.sleeper.cancel();
    if (this.noCommTimer !== undefined) clearInterval(this.noCommTimer);
    await this.logoutAll();
    this.client?.close();
    await this.loop;
  }

  /** Ends every secondary login (LOGOUT): the hub's run is done and a NUT primary may cut power. */
  async logoutAll(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((session) => session.logout()));
  }

  /** The latest reading of each UPS of this server. */
  latest(): UpsSnapshot[] {
    return [...this.tracks.values()].flatMap((track) => (track.previous ? [track.previous] : []));
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (this.running) {
      try {
        const client = await this.connect();
        attempt = 0;
        await this.pollUntilClosed(client);
      } catch (error) {
        this.client?.close();
        if (!this.running) return;
        this.markAll('connection-lost');
        attempt += 1;
        if (attempt > this.config.reconnect.maxRetries) {
          this.logger.error({ err: error, server: this.server }, `giving up on upsd at ${this.server} after ${attempt - 1} retries`);
          this.running = false;
          return;
        }
        const delay = backoffDelay(this.config.reconnect, attempt);
        this.logger.warn({ server: this.server, attempt, delayMs: delay, reason: (error as Error).message }, 'NUT server unreachable; retrying');
        await this.sleeper.sleep(delay);
      }
    }
  }

  private async connect(): Promise<NutClient> {
    this.client = await connectConfigured(this.config, async (client) => {
      this.client = client;
      this.upsNames = this.config.ups ?? (await client.listUps()).map((ups) => ups.name);
    });
    this.logger.info({ server: this.server, ups: this.upsNames }, 'connected to upsd');
    this.ensureLogins();
    return this.client;
  }

  private async pollUntilClosed(client: NutClient): Promise<void> {
    while (this.running) {
      const started = Date.now();
      let fatal: unknown;
      // Each reading is published as its reply arrives, not after the server's slowest UPS.
      await Promise.all(this.upsNames.map((ups) => client.listVar(ups).then(
        (vars) => {
          if (this.running) this.publish(snapshotFromVars(this.server, ups, vars, this.now()));
        },
        (error: unknown) => {
          const comm = error instanceof NutProtocolError ? COMM_CODES[error.nutCode] : undefined;
          if (comm !== undefined) this.publish(commLossSnapshot(this.server, ups, comm, this.now()));
          else fatal ??= error;
        },
      )));
      if (!this.running) return;
      if (fatal !== undefined) {
        // A dropped connection, UNKNOWN-UPS (removed from ups.conf) or garbage: the connection cannot be trusted; start over.
        if (fatal instanceof NutConnectionError) throw fatal;
        throw new NutConnectionError(`polling ${this.server} failed: ${(fatal as Error).message}`, { cause: fatal });
      }
      await this.sleeper.sleep(Math.max(0, this.config.pollIntervalMs - (Date.now() - started)));
    }
  }

  private publish(snapshot: UpsSnapshot): void {
    const track = this.tracks.get(snapshot.ups) ?? { noCommReported: false };
    this.tracks.set(snapshot.ups, track);
    const events = eventsBetween(track.previous, snapshot, track.lastGood);
    if (snapshot.comm === 'ok') {
      track.lastGood = snapshot;
      track.commLostSince = undefined;
      track.noCommReported = false;
    } else {
      track.commLostSince ??= snapshot.ts;
    }
    track.previous = snapshot;
    this.bus.emitUpsSnapshot(snapshot);
    for (const event of events) this.emitEvent(event);
  }

  /** Every UPS of this server has lost its data source (the connection is gone). */
  private markAll(comm: Exclude<CommState, 'ok'>): void {
    for (const ups of this.upsNames) {
      if (this.tracks.get(ups)?.previous?.comm !== comm) this.publish(commLossSnapshot(this.server, ups, comm, this.now()));
    }
  }

  private checkNoComm(): void {
    const now = this.now();
    for (const [ups, track] of this.tracks) {
      if (track.commLostSince === undefined || track.noCommReported || now - track.commLostSince < this.config.noCommAfterMs) continue;
      track.noCommReported = true;
      this.emitEvent({
        type: 'NOCOMM', severity: 'critical', server: this.server, ups, ts: now,
        message: `no data from ${ups} for ${Math.round((now - track.commLostSince) / 1000)} s`,
        data: { since: track.commLostSince, lastStatus: track.lastGood?.status },
      });
    }
  }

  private ensureLogins(): void {
    if (this.config.username === undefined) return;
    for (const ups of this.upsNames) {
      if (this.sessions.has(ups)) continue;
      const session = new LoginSession(this.config, ups, {
        onDenied: (deniedUps, error) => this.loginDenied(deniedUps, error),
        onLoggedIn: (loggedUps) => this.logger.info({ server: this.server, ups: loggedUps }, 'logged in to upsd as a secondary'),
      }, this.logger);
      this.sessions.set(ups, session);
      session.start();
    }
  }

  private loginDenied(ups: string, error: NutAuthError): void {
    this.logger.error({ server: this.server, ups, code: error.nutCode }, 'upsd refused the login');
    this.emitEvent({
      type: 'LOGIN_DENIED', severity: 'critical', server: this.server, ups, ts: this.now(),
      message: `upsd at ${this.server} refused to let the hub log in to ${ups} (${error.nutCode}): a NUT primary will not wait for this hub before cutting power`,
      data: { code: error.nutCode },
    });
  }

  private emitEvent(event: NutEvent): void {
    this.bus.emitUpsEvent(event);
  }
}
