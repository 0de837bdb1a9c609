import { removeTempDirs } from './temp';

/** Root hooks: temp folders go when the run ends. */
export const mochaHooks = {
  afterAll(): void {
    removeTempDirs();
  },
};
