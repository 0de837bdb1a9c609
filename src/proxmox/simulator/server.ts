import type * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import { ApiError, parameterError } from './api-error';
import { Accounts, type Principal, type TokenPrivileges } from './auth';
import { parseBody, readBody } from './body';
import { checkNodeName, validateParams } from './params';
import { Power } from './power';
import { sendData, sendError } from './reply';
import { matchRoute, type Route, type SimCore } from './router';
import { clusterRoutes } from './routes-cluster';
import { guestRoutes } from './routes-guests';
import { nodeRoutes } from './routes-node';
import { Scheduler } from './scheduler';
import { TaskTable } from './tasks';
import { fingerprint256, generateCertificate, type TlsMaterial } from './tls';
import { type HaState, type SimGuest, World } from './world';

export interface ProxmoxSimulatorOptions {
  /** How long tasks run before they stop. Default 300. */
  taskMs?: number;
  /** The proxy's deliberate delay before a 401. Default 3000 (tests pass 0). */
  authFailureDelayMs?: number;
  /** Key and certificate to present; default: a fresh self-signed one, made once per simulator. */
  tls?: TlsMaterial;
  /** Clock (ms) for task start times, tickets, uptimes and mutatingCalls. Default Date.now. */
  now?: () => number;
}

export interface ProxmoxListenInfo {
  host: string;
  port: number;
  /** `https://host:port`, without /api2/json. */
  url: string;
  fingerprint256: string;
  certPem: string;
}

export interface MutatingCall {
  method: string;
  /** Below /api2/json, URL-decoded, without the query. */
  path: string;
  /** Query and body parameters as sent (booleans as the client spelled them). */
  params: Record<string, string>;
  at: number;
}

const API_PREFIX = '/api2/json';
/** The login call needs no credentials; its handler ignores who is asking. */
const ANONYMOUS: Principal = { user: '', auditOnly: true };

/**
 * A fake Proxmox VE API server (HTTPS, /api2/json) with a scriptable cluster,
 * written from PROTOCOLS.md §2 only; it shares no code with the Proxmox client it tests.
 */
export class ProxmoxSimulator {
  /** Every POST except /access/ticket, accepted or not, so a test can prove a dry run changed nothing. */
  readonly mutatingCalls: MutatingCall[] = [];
  /** requests: HTTP requests; connections: new TLS connections (so a test can tell keep-alive reuse). */
  readonly stats = { requests: 0, connections: 0 };

  private readonly authFailureDelayMs: number;
  private readonly now: () => number;
  private readonly world: World;
  private readonly tasks: TaskTable;
  private readonly accounts: Accounts;
  private readonly scheduler = new Scheduler();
  private readonly routes: Route[];
  private readonly sockets = new Set<net.Socket>();
  private tls: TlsMaterial | undefined;
  private fingerprint = '';
  private server: https.Server | undefined;

  constructor(options: ProxmoxSimulatorOptions = {}) {
    this.authFailureDelayMs = options.authFailureDelayMs ?? 3000;
    this.now = options.now ?? Date.now;
    this.tls = options.tls;
    this.world = new World(this.now);
    this.tasks = new TaskTable(this.now);
    this.accounts = new Accounts(this.now);
    const power = new Power({ world: this.world, tasks: this.tasks, scheduler: this.scheduler, taskMs: options.taskMs ?? 300, now: this.now });
    const core: SimCore = {
      world: this.world,
      tasks: this.tasks,
      accounts: this.accounts,
      power,
      now: this.now,
      certificate: () => ({ pem: this.tls?.cert ?? '', fingerprint: this.fingerprint }),
    };
    this.routes = [...clusterRoutes(core), ...guestRoutes(core), ...nodeRoutes(core)];
  }

  // ---- lifecycle -------------------------------------------------------------

  /** Listens (port 0 = a free port). The certificate stays the same across restarts, as a node's does. */
  async start(options: { host?: string; port?: number } = {}): Promise<ProxmoxListenInfo> {
    if (this.server) throw new Error('Proxmox simulator already started');
    const host = options.host ?? '127.0.0.1';
    this.tls ??= await generateCertificate();
    const tls = this.tls;
    this.fingerprint = fingerprint256(tls.cert);
    const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => this.onRequest(req, res));
    server.on('connection', (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('secureConnection', () => {
      this.stats.connections += 1;
    });
    server.on('tlsClientError', () => {
      // a client that rejects our certificate is not our problem
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const port = (server.address() as net.AddressInfo).port;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    return { host, port, url: `https://${urlHost}:${port}`, fingerprint256: this.fingerprint, certPem: tls.cert };
  }

  /** Cancels pending tasks and delayed replies, closes every connection and the listener. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.scheduler.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  // ---- the world -------------------------------------------------------------

  addNode(name: string): void {
    this.world.addNode(name);
  }

  /** Adds a guest; its node is added too if new. */
  addGuest(guest: SimGuest): void {
    this.world.addGuest(guest);
  }

  /** tokenId is `user@realm!tokenid`; 'audit-only' may read but gets 403 on every power call. */
  addToken(tokenId: string, secret: string, options: { privileges?: TokenPrivileges } = {}): void {
    this.accounts.addToken(tokenId, secret, options.privileges ?? 'all');
  }

  /** A user for ticket logins (`root@pam`), with every privilege. */
  addUser(username: string, password: string): void {
    this.accounts.addUser(username, password);
  }

  /** A copy of the guest's current state. */
  guest(vmid: number): SimGuest {
    return this.world.snapshot(vmid);
  }

  /** For tests and benchmarks: a guest started or stopped by hand, outside the API. */
  setGuestRunning(vmid: number, running: boolean): void {
    this.world.snapshot(vmid);
    const guest = this.world.guests.get(vmid)!;
    if (running) this.world.markRunning(guest);
    else this.world.markStopped(guest);
  }

  /** The HA manager's requested state of an HA-managed guest (undefined if not managed). */
  haState(vmid: number): HaState | undefined {
    this.world.snapshot(vmid);
    return this.world.guests.get(vmid)?.haState;
  }

  nodeStatus(name: string): 'online' | 'offline' {
    return this.world.requireNode(name).status;
  }

  /** Brings a node back (power returned) or takes it away; its guests stay as they are. */
  setNodeStatus(name: string, status: 'online' | 'offline'): void {
    const node = this.world.requireNode(name);
    if (status === 'online' && node.status !== 'online') node.bootedAt = this.now();
    node.status = status;
  }

  // ---- requests --------------------------------------------------------------

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.stats.requests += 1;
    this.respond(req, res).catch((error: unknown) => {
      sendError(res, error instanceof ApiError ? error : new ApiError(500, `simulator error: ${String(error)}`));
    });
  }

  private async respond(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const rawPath = queryAt < 0 ? url : url.slice(0, queryAt);
    const query = Object.fromEntries(new URLSearchParams(queryAt < 0 ? '' : url.slice(queryAt + 1)));
    const body = await readBody(req);
    if (rawPath !== API_PREFIX && !rawPath.startsWith(`${API_PREFIX}/`)) {
      sendError(res, new ApiError(404, 'Not Found'));
      return;
    }
    let segments: string[];
    try {
      segments = rawPath.slice(API_PREFIX.length).split('/').filter((part) => part !== '').map(decodeURIComponent);
    } catch {
      sendError(res, new ApiError(400, 'malformed URL'));
      return;
    }
    const path = `/${segments.join('/')}`;
    let bodyParams: Record<string, string> = {};
    let bodyError: ApiError | undefined;
    try {
      bodyParams = parseBody(req.headers['content-type'], body);
    } catch (error) {
      bodyError = error instanceof ApiError ? error : new ApiError(400, String(error));
    }
    const params = { ...query, ...bodyParams };
    if (method === 'POST' && path !== '/access/ticket') this.mutatingCalls.push({ method, path, params: { ...params }, at: this.now() });
    try {
      sendData(res, this.dispatch(req, method, path, segments, params, bodyError));
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError(500, `simulator error: ${String(error)}`);
      // PVE holds every 401 back, so guessing credentials is slow
      if (apiError.status === 401 && this.authFailureDelayMs > 0) this.scheduler.after(this.authFailureDelayMs, () => sendError(res, apiError));
      else sendError(res, apiError);
    }
  }

  /** Authentication, then routing (501), the node, permission (403), parameters (400), the handler. */
  private dispatch(
    req: http.IncomingMessage,
    method: string,
    path: string,
    segments: string[],
    params: Record<string, string>,
    bodyError: ApiError | undefined,
  ): unknown {
    const match = matchRoute(this.routes, method, segments);
    const principal = match?.route.public ? ANONYMOUS : this.accounts.authenticate(req.headers, method);
    if (!match) throw new ApiError(501, `Method '${method} ${path}' not implemented`);
    if (bodyError !== undefined) throw bodyError;
    const { route, pathParams } = match;
    if (pathParams.node !== undefined) {
      const problem = checkNodeName(pathParams.node);
      if (problem !== undefined) throw parameterError({ node: problem });
      this.world.reachableNode(pathParams.node);
    }
    if (route.permission && principal.auditOnly) {
      const needed = route.permission(pathParams);
      throw new ApiError(403, `Permission check failed (${needed.path}, ${needed.privilege})`);
    }
    return route.handler({ params: validateParams({ ...params, ...pathParams }, route.schema), principal });
  }
}
