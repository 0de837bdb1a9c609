/**
 * Notices a flow revision written by someone other than this hub's Node-RED
 * (`walnut flows rollback` from the command line) and has Node-RED load it,
 * so a rollback takes effect without restarting the hub.
 */
import type { Logger } from '../logger';
import type { FlowStore } from './flow-store';

const CHECK_MS = 2000;

export class RevisionWatcher {
  private timer: NodeJS.Timeout | undefined;
  private running = 0;
  private reloading = false;

  constructor(
    private readonly flows: FlowStore,
    private readonly reload: () => Promise<void>,
    private readonly logger: Logger,
  ) {}

  /** The revision Node-RED runs now. */
  runs(version: number): void {
    this.running = version;
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async check(): Promise<void> {
    if (this.reloading) return;
    try {
      const latest = await this.flows.latestVersion();
      if (latest <= this.running) return;
      this.reloading = true;
      this.logger.info({ from: this.running, to: latest }, 'a newer flow revision was stored (a rollback?): loading it');
      await this.reload();
      this.logger.info({ version: latest }, 'loaded the newer flow revision');
    } catch (error) {
      this.logger.error({ err: error }, 'could not load the newer flow revision');
    } finally {
      this.reloading = false;
    }
  }
}
