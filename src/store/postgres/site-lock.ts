import type { Knex } from 'knex';
import { StoreBusyError } from '../../errors';
import { type AdvisoryLock, tryAdvisoryLock } from './advisory-lock';

/**
 * A hub's hold on its WALNUT_SITE in a fleet database: a session advisory lock,
 * so a second hub for the same site is refused. The lock lives on one
 * connection; if that connection dies, the hub is told (onLost) and may take
 * the site again, unless another hub took it in between.
 */
export class SiteLock {
  private constructor(
    private readonly knex: Knex,
    readonly site: string,
    private lock: AdvisoryLock,
  ) {}

  static async take(knex: Knex, site: string, holder: string, location: string): Promise<SiteLock> {
    const lock = await tryAdvisoryLock(knex, siteLockName(site));
    if (lock === undefined) {
      throw new StoreBusyError(`another hub (or a maintenance command) holds site "${site}" on ${location}; each hub of a fleet needs its own WALNUT_SITE (wanted by ${holder})`);
    }
    return new SiteLock(knex, site, lock);
  }

  onLost(listener: (error: Error) => void): void {
    this.lock.onLost(listener);
  }

  /** After a loss: true when this hub holds its site again, false when another hub holds it now. */
  async retake(): Promise<boolean> {
    const lock = await tryAdvisoryLock(this.knex, siteLockName(this.site));
    if (lock === undefined) return false;
    this.lock = lock;
    return true;
  }

  release(): Promise<void> {
    return this.lock.release();
  }
}

/** The advisory lock a hub holds for its site (walnut-db rekey takes them all). */
export const siteLockName = (site: string): string => `site:${site}`;
