import type { EventBus } from '../bus';
import type { Logger } from '../logger';
import { NutConnectionError } from '../errors';
import { listInstantCommands, runInstantCommand } from './instant-commands';
import { NutPoller } from './poller';
import { serverAddress, type NutServerConfig } from './server-config';
import type { UpsSnapshot } from './snapshot';

export interface PollerHandle {
  readonly poller: NutPoller;
  /** Drops this user's claim; the poller stops when nobody uses it. */
  release(): Promise<void>;
}

interface Entry {
  poller: NutPoller;
  users: number;
  /** Fingerprint of the config, so two users with different settings do not share a poller silently. */
  signature: string;
  config: NutServerConfig;
}

function signature(config: NutServerConfig): string {
  return JSON.stringify({ ...config, password: config.password === undefined ? undefined : 'set' });
}

/**
 * The hub's NUT pollers, one per server however many flows and settings watch
 * it: WALNUT_NUT_SERVERS and nut-server config nodes both acquire here.
 */
export class NutService {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly bus: EventBus,
    private readonly logger: Logger,
  ) {}

  get serverCount(): number {
    return this.entries.size;
  }

  acquire(config: NutServerConfig): PollerHandle {
    const key = serverAddress(config);
    let entry = this.entries.get(key);
    if (entry !== undefined && entry.signature !== signature(config)) {
      this.logger.warn({ server: key }, 'this NUT server is already watched with other settings; sharing the running poller');
    }
    if (entry === undefined) {
      entry = { poller: new NutPoller(config, this.bus, this.logger.child({ nut: key })), users: 0, signature: signature(config), config };
      this.entries.set(key, entry);
      entry.poller.start();
    }
    entry.users += 1;
    const claimed = entry;
    let released = false;
    return {
      poller: claimed.poller,
      release: async () => {
        if (released) return;
        released = true;
        claimed.users -= 1;
        if (claimed.users > 0) return;
        this.entries.delete(key);
        await claimed.poller.stop();
      },
    };
  }

  /** `host:port` of every server watched. */
  servers(): string[] {
    return [...this.entries.keys()];
  }

  /** The instant commands upsd lists for a UPS of a watched server. */
  async instantCommands(server: string, ups: string): Promise<string[]> {
    return listInstantCommands(this.configOf(server), ups);
  }

  /** Runs an instant command with the server's login (upsd.users must grant it). */
  async runInstantCommand(server: string, ups: string, command: string): Promise<void> {
    return runInstantCommand(this.configOf(server), ups, command);
  }

  private configOf(server: string): NutServerConfig {
    const entry = this.entries.get(server);
    if (!entry) throw new NutConnectionError(`the hub no longer watches the NUT server ${server}`);
    return entry.config;
  }

  latest(): UpsSnapshot[] {
    return [...this.entries.values()].flatMap((entry) => entry.poller.latest());
  }

  async stop(): Promise<void> {
    const pollers = [...this.entries.values()].map((entry) => entry.poller);
    this.entries.clear();
    await Promise.all(pollers.map((poller) => poller.stop()));
  }
}
