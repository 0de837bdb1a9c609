/** Every failure leaves the API as `{ error: { code, message } }`; unexpected ones are logged, not shown. */
import type { NextFunction, Request, Response } from 'express';
import { ApiError, ApiNotFoundError, ApiRateLimitError, UsageError, WalnutError } from '../errors';
import type { Logger } from '../logger';

export interface ApiErrorBody {
  error: { code: string; message: string };
}

export function notFound(request: Request, _response: Response, next: NextFunction): void {
  next(new ApiNotFoundError(`no route ${request.method} ${request.baseUrl}${request.path} (see GET /api/v1/openapi.json)`));
}

export function errorHandler(logger: Logger) {
  return (error: unknown, _request: Request, response: Response, next: NextFunction): void => {
    if (response.headersSent) return next(error);
    const send = (status: number, code: string, message: string): void => {
      const body: ApiErrorBody = { error: { code, message } };
      response.status(status).json(body);
    };
    if (error instanceof ApiRateLimitError) response.set('Retry-After', String(error.retryAfterS));
    if (error instanceof ApiError) return send(error.status, error.code, error.message);
    if (error instanceof UsageError) return send(400, error.code, error.message);
    if (isBodyParseError(error)) return send(400, 'API_BAD_REQUEST', 'the request body is not valid JSON');
    if (error instanceof WalnutError) {
      logger.error({ err: error }, 'API request failed');
      return send(500, error.code, error.message);
    }
    logger.error({ err: error }, 'API request failed unexpectedly');
    send(500, 'INTERNAL', 'the hub failed to answer this request; its log says why');
  };
}

function isBodyParseError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'type' in error && error.type === 'entity.parse.failed';
}
