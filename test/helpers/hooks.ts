import { stopSharedPostgres } from './postgres';
import { removeTempDirs } from './temp';

/** Root hooks: the shared PostgreSQL stops, then temp folders go, when the run ends. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopSharedPostgres();
    removeTempDirs();
  },
};
