/**
 * /api/v1: mounted on the hub's own HTTP server before Node-RED's routes.
 * /health and /openapi.json are open; everything else needs an API key.
 */
import express, { type Router } from 'express';
import type { Logger } from '../logger';
import { requireApiKey } from './auth';
import type { ApiContext } from './context';
import { errorHandler, notFound } from './error-handler';
import { openApiDocument } from './openapi';
import { archiveRoutes } from './routes/archives';
import { eventRoutes } from './routes/events';
import { healthRoutes } from './routes/health';
import { jobRoutes } from './routes/jobs';
import { policyRoutes } from './routes/policies';
import { samplesRoutes } from './routes/samples';
import { targetRoutes } from './routes/targets';
import { upsRoutes } from './routes/ups';

export const API_ROOT = '/api/v1';

/** The routes alone, without auth or error handling: what the OpenAPI test walks. */
export function apiRoutes(context: ApiContext): Router {
  const routes = express.Router();
  // Samples first: /ups/{server}/{name} would otherwise take /ups/3/samples.
  samplesRoutes(routes, context);
  upsRoutes(routes, context);
  eventRoutes(routes, context);
  policyRoutes(routes, context);
  jobRoutes(routes, context);
  targetRoutes(routes, context);
  archiveRoutes(routes, context);
  return routes;
}

/** The open routes: no key, nothing sensitive. */
export function openRoutes(context: ApiContext): Router {
  const routes = express.Router();
  healthRoutes(routes, context);
  const document = openApiDocument(context.version);
  routes.get('/openapi.json', (_request, response) => void response.json(document));
  return routes;
}

export function apiRouter(context: ApiContext, logger: Logger): Router {
  const router = express.Router();
  router.use((_request, response, next) => {
    response.set({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    next();
  });
  router.use(openRoutes(context));
  router.use(requireApiKey(context), apiRoutes(context));
  router.use(notFound);
  router.use(errorHandler(logger));
  return router;
}
