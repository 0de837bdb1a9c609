import type { Accounts, Principal } from './auth';
import type { Params, Schema } from './params';
import type { Power } from './power';
import type { TaskTable } from './tasks';
import type { World } from './world';

/** What the route handlers work on. */
export interface SimCore {
  world: World;
  tasks: TaskTable;
  accounts: Accounts;
  power: Power;
  now: () => number;
  /** The certificate the server presents (PEM) and its SHA-256 fingerprint. */
  certificate: () => { pem: string; fingerprint: string };
}

export interface ApiRequest {
  params: Params;
  principal: Principal;
}

export interface Route {
  method: 'GET' | 'POST';
  /** Below /api2/json; `{name}` segments capture path parameters. */
  path: string;
  /** Every parameter the method takes, path parameters included: anything else is a 400. */
  schema: Schema;
  /** The ACL path and privilege a power call needs; audit-only tokens get a 403. */
  permission?: (pathParams: Record<string, string>) => { path: string; privilege: string };
  /** Reachable without logging in (only POST /access/ticket). */
  public?: boolean;
  handler: (request: ApiRequest) => unknown;
}

export interface RouteMatch {
  route: Route;
  pathParams: Record<string, string>;
}

/** The route for a method and decoded path segments, or undefined (PVE's 501). */
export function matchRoute(routes: readonly Route[], method: string, segments: readonly string[]): RouteMatch | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/').filter((part) => part !== '');
    if (pattern.length !== segments.length) continue;
    const pathParams: Record<string, string> = {};
    const matches = pattern.every((part, index) => {
      const segment = segments[index] ?? '';
      if (part.startsWith('{') && part.endsWith('}')) {
        pathParams[part.slice(1, -1)] = segment;
        return segment !== '';
      }
      return part === segment;
    });
    if (matches) return { route, pathParams };
  }
  return undefined;
}
