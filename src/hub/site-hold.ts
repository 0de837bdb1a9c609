import { setTimeout as delay } from 'node:timers/promises';
import { StoreBusyError } from '../errors';
import type { Logger } from '../logger';
import type { SiteLock } from '../store/postgres/site-lock';

/** The first retry waits a second: a server restart is usually over by then. */
const RETRY_MS = 1000;
const MAX_RETRY_MS = 10_000;

/**
 * Keeps a fleet hub's hold on its site. When the connection holding it dies the
 * hub takes the site again as soon as the database answers; if another hub took
 * it meanwhile, two hubs would act for one site, so this one gives up (onFatal).
 */
export function holdSite(lock: SiteLock, logger: Logger, stopping: () => boolean, onFatal: (error: Error) => void): void {
  lock.onLost((error) => {
    logger.error({ err: error, site: lock.site }, 'lost the database connection holding this hub\'s site; taking the site again');
    void retake(lock, logger, stopping, onFatal);
  });
}

async function retake(lock: SiteLock, logger: Logger, stopping: () => boolean, onFatal: (error: Error) => void): Promise<void> {
  for (let attempt = 1; !stopping(); attempt += 1) {
    await delay(Math.min(RETRY_MS * attempt, MAX_RETRY_MS));
    try {
      if (await lock.retake()) {
        logger.warn({ site: lock.site }, 'this hub holds its site again');
        holdSite(lock, logger, stopping, onFatal);
        return;
      }
      onFatal(new StoreBusyError(`another hub took site "${lock.site}" while this hub's database connection was down: this hub stops so that only one acts for the site`));
      return;
    } catch (error) {
      logger.warn({ err: error, site: lock.site, attempt }, 'cannot take the site again yet; retrying');
    }
  }
}
