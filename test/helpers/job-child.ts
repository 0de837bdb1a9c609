// A hub-like process that runs one job through the runner and reports its states
// on stdout, so a test can kill it at a chosen moment. Args: rulesDir target op.
import { storeBackedRunner } from '../../src/actions/hub-runner';
import { EventBus } from '../../src/bus';
import { silentLogger } from '../../src/logger';
import type { Op } from '../../src/policy/spec';
import { RulesService } from '../../src/policy/rules-service';
import { ensureSite } from '../../src/store/sites';
import { Store } from '../../src/store/store';

async function main(): Promise<void> {
  const [rulesDir, target, op] = process.argv.slice(2) as [string, string, Op];
  const store = await Store.open({ settings: { dbPath: process.env.WALNUT_DB_PATH!, production: false, allowNetworkFs: false }, env: process.env });
  const siteId = (await ensureSite(store.knex, 'default')).id;
  const bus = new EventBus();
  const rules = new RulesService({ dir: rulesDir, bus, logger: silentLogger() });
  await rules.start();
  bus.onJobUpdate((update) => process.stdout.write(`${update.state}\n`));
  const runner = storeBackedRunner(store, siteId, rules, bus, silentLogger());
  await runner.submit({ target, op, timeout: 60_000 });
}

void main();
