/** `Authorization: Bearer <key>` on every route but /health and /openapi.json; failures feed the rate limiter. */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ApiAuthError, ApiRateLimitError } from '../errors';
import { verifyApiKey } from '../store/api-keys';
import type { ApiContext } from './context';

/** Who made the request, for audit rows and handlers: set by requireApiKey. */
export interface ApiCaller {
  keyName: string;
  actor: string;
  ip?: string;
  userAgent?: string;
}

export const clientAddress = (request: Request): string => request.ip ?? request.socket.remoteAddress ?? 'unknown';

export function callerOf(response: Response): ApiCaller {
  const caller = (response.locals as { caller?: ApiCaller }).caller;
  if (!caller) throw new ApiAuthError('no API key was checked for this request');
  return caller;
}

function bearerToken(request: Request): string | undefined {
  const header = request.get('authorization');
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function requireApiKey(context: Pick<ApiContext, 'knex' | 'limiter' | 'now'>): RequestHandler {
  return (request: Request, response: Response, next: NextFunction): void => {
    const address = clientAddress(request);
    const waitMs = context.limiter.retryAfterMs(address);
    if (waitMs > 0) return next(new ApiRateLimitError(Math.ceil(waitMs / 1000)));
    const token = bearerToken(request);
    const check = token === undefined ? Promise.resolve(null) : verifyApiKey(context.knex, token, context.now());
    check.then((key) => {
      if (!key) {
        context.limiter.recordFailure(address);
        response.set('WWW-Authenticate', 'Bearer realm="walnut"');
        throw new ApiAuthError(token === undefined
          ? 'send an API key as "Authorization: Bearer <key>" (create one with: walnut apikeys create NAME)'
          : 'the API key is unknown or revoked');
      }
      const userAgent = request.get('user-agent');
      const caller: ApiCaller = { keyName: key.name, actor: `api:${key.name}`, ip: address, ...(userAgent === undefined ? {} : { userAgent }) };
      (response.locals as { caller?: ApiCaller }).caller = caller;
      next();
    }).catch(next);
  };
}
