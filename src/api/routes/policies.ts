/**
 * GET /policies, /policies/{name}: each policy's state as Home Assistant
 * shows it. POST …/arm and …/disarm set the armed override (audited, as from
 * Home Assistant); POST …/simulate starts or stops the dry-run outage simulation.
 */
import type { Request, Router } from 'express';
import { ApiNotFoundError } from '../../errors';
import { setOverride } from '../../policy/overrides';
import type { PolicyReport } from '../../policy/policy-report';
import { recordAudit } from '../../store/audit';
import { asyncRoute } from '../async-route';
import { callerOf, type ApiCaller } from '../auth';
import type { ApiContext } from '../context';
import { checkQuery } from '../query';
import { noQuery, simulateQuery, type SimulateQuery } from '../query-schemas';

export type PolicyItem = PolicyReport & { name: string; file: string };

async function policyItem(context: ApiContext, name: string): Promise<PolicyItem> {
  const loaded = context.rules.current().policies.get(name);
  const report = loaded ? await context.policies.report(name) : undefined;
  if (!loaded || !report) throw new ApiNotFoundError(`no policy named "${name}" is loaded (see GET /api/v1/policies)`);
  return { name, file: loaded.file, ...report };
}

const origin = (caller: ApiCaller): { ip?: string; userAgent?: string } => ({
  ...(caller.ip === undefined ? {} : { ip: caller.ip }), ...(caller.userAgent === undefined ? {} : { userAgent: caller.userAgent }),
});

const nameOf = (request: Request): string => (request.params as { name: string }).name;

export function policyRoutes(router: Router, context: ApiContext): void {
  router.get('/policies', asyncRoute(async (request, response) => {
    checkQuery(noQuery, request.query);
    const names = [...context.rules.current().policies.keys()].sort();
    const items: PolicyItem[] = [];
    for (const name of names) items.push(await policyItem(context, name));
    response.json({ items });
  }));

  router.get('/policies/:name', asyncRoute(async (request, response) => {
    checkQuery(noQuery, request.query);
    response.json(await policyItem(context, nameOf(request)));
  }));

  for (const [verb, armed] of [['arm', true], ['disarm', false]] as const) {
    router.post(`/policies/:name/${verb}`, asyncRoute(async (request, response) => {
      checkQuery(noQuery, request.query);
      const name = nameOf(request);
      await policyItem(context, name); // 404 before anything changes
      const caller = callerOf(response);
      await setOverride(context.knex, context.siteId, name, { armed }, caller.actor, origin(caller));
      await context.policies.flagsChanged(name);
      response.json(await policyItem(context, name));
    }));
  }

  router.post('/policies/:name/simulate', asyncRoute(async (request, response) => {
    const { action } = checkQuery<SimulateQuery>(simulateQuery, request.query);
    const name = nameOf(request);
    const before = await policyItem(context, name);
    const wanted = action === 'toggle' ? !before.simulating : action === 'start';
    if (wanted !== before.simulating) {
      const running = await context.policies.toggleSimulation(name);
      const caller = callerOf(response);
      await recordAudit(context.knex, {
        siteId: context.siteId, actor: caller.actor, action: running ? 'policy.simulation.start' : 'policy.simulation.stop',
        resource: `policy/${name}`, ...origin(caller),
      });
    }
    response.json(await policyItem(context, name));
  }));
}
