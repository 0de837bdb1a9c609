import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Express 4 does not see a rejected promise: hand it to next() so the error handler answers. */
export function asyncRoute(handler: (request: Request, response: Response) => Promise<void>): RequestHandler {
  return (request: Request, response: Response, next: NextFunction): void => {
    handler(request, response).catch(next);
  };
}
