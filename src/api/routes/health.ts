/**
 * GET /health, unauthenticated so probes and load balancers need no key: it
 * says only whether the hub works (version, site name, store, how many NUT
 * servers answer, uptime), never addresses, UPS names or anything stored.
 */
import type { Router } from 'express';
import { asyncRoute } from '../async-route';
import type { ApiContext } from '../context';

export interface HealthBody {
  status: 'ok' | 'degraded';
  version: string;
  site: string;
  uptimeS: number;
  store: { ok: boolean };
  nut: { servers: number; connected: number };
}

async function storeAnswers(context: ApiContext): Promise<boolean> {
  try {
    await context.knex.raw('select 1');
    return true;
  } catch {
    return false;
  }
}

export function healthRoutes(router: Router, context: ApiContext): void {
  router.get('/health', asyncRoute(async (_request, response) => {
    const storeOk = await storeAnswers(context);
    const servers = context.nut.servers().length;
    const connected = new Set(context.nut.latest().filter((snapshot) => snapshot.comm === 'ok').map((snapshot) => snapshot.server)).size;
    const body: HealthBody = {
      status: storeOk && connected === servers ? 'ok' : 'degraded',
      version: context.version, site: context.site,
      uptimeS: Math.max(0, Math.round((context.now() - context.startedAt) / 1000)),
      store: { ok: storeOk }, nut: { servers, connected },
    };
    response.status(storeOk ? 200 : 503).json(body);
  }));
}
