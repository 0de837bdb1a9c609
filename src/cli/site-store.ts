import { ensureSite } from '../store/sites';
import { Store } from '../store/store';
import { cliSettings, type GlobalOptions } from './common';

/** The store and this hub's site (WALNUT_SITE), for commands that record who changed what. */
export interface SiteSession {
  store: Store;
  siteId: number;
}

/** Opens the store, runs `work` with this hub's site, and always closes it. */
export async function withSiteStore<T>(options: GlobalOptions, work: (session: SiteSession) => Promise<T>): Promise<T> {
  const settings = cliSettings(options);
  const store = await Store.open({ settings });
  try {
    const site = await ensureSite(store.knex, settings.site);
    return await work({ store, siteId: site.id });
  } finally {
    await store.close();
  }
}
