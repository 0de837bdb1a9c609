import type { Knex } from 'knex';
import type { NutService } from '../nut/service';
import type { PolicyService } from '../policy/policy-service';
import type { RulesService } from '../policy/rules-service';
import type { FailedAuthLimiter } from './failed-auth-limiter';

/** What the API's routes read and change: the hub's running services and its store. */
export interface ApiContext {
  knex: Knex;
  siteId: number;
  site: string;
  version: string;
  /** Epoch ms the hub started, for the uptime in /health. */
  startedAt: number;
  nut: Pick<NutService, 'latest' | 'servers'>;
  policies: Pick<PolicyService, 'report' | 'flagsChanged' | 'toggleSimulation'>;
  rules: Pick<RulesService, 'current'>;
  /** How long raw samples are kept (settings.retention.samplesHours): older ranges come from the hourly rollups. */
  samplesRetentionHours: number;
  limiter: FailedAuthLimiter;
  now: () => number;
}
