import type { EventBus } from '../bus';
import type { Logger } from '../logger';
import type { RulesService } from '../policy/rules-service';
import type { Store } from '../store/store';
import { createDriver } from './registry';
import { JobRunner, type RunnerOptions } from './runner';
import { trustedFingerprint } from './trust-store';

/** The runner as the hub and the CLI build it: targets from the rules, secrets and trusted keys from the store. */
export function storeBackedRunner(
  store: Store, siteId: number, rules: Pick<RulesService, 'current'>, bus: EventBus, logger: Logger,
  tuning: Pick<RunnerOptions, 'concurrency' | 'retries' | 'retryDelayMs' | 'defaultTimeoutMs'> = {},
): JobRunner {
  const secrets = store.secrets();
  return new JobRunner({
    knex: store.knex, siteId, bus, logger, ...tuning,
    targets: () => new Map([...rules.current().targets].map(([name, defined]) => [name, defined.target])),
    driverFor: (name, target) => createDriver(name, target, {
      secret: (secretName) => secrets.get(secretName),
      trustedFingerprint: (endpoint) => trustedFingerprint(store.knex, siteId, endpoint),
    }),
  });
}
