import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { NutConfigError } from '../../errors';
import { executeRequest } from './commands';
import type { CommandContext } from './context';
import { checkName, validateUpsDefinition, validateUserDefinition, varsMap } from './definitions';
import type { ClientInfo, DisconnectEvent, NutSimulatorEvents, TrackingResult } from './events';
import { Faults, type GarbageMode } from './faults';
import { Session } from './session';
import { SimUps, SimUser, type UpsDefinition, type UserDefinition } from './state';
import { TrackingTable } from './tracking';

export interface NutSimulatorOptions {
  /** Reported by VER and server.version. Default 2.8.0. */
  version?: string;
  /** upsd drops a client that sent no complete request for this long. Default 60000 (upsd's hard-coded minute). */
  idleTimeoutMs?: number;
  /**
   * upsd's MAXAGE: a UPS whose data was not updated (addUps, setVars, setStatus,
   * touch) for longer than this reads DATA-STALE. Default: never; the simulated
   * driver keeps its data fresh on its own.
   */
  maxAgeMs?: number;
  /** How long the simulated driver takes to report a tracked SET/INSTCMD as SUCCESS. Default 50; Infinity = only resolveTracking(). */
  trackingDelayMs?: number;
  /** Clock for data age (ms). Default Date.now. */
  now?: () => number;
}

export interface ListenAddress {
  host: string;
  port: number;
}

/** upsd formats each reply line into a 512-byte buffer: longer lines are cut, newline and all. */
const MAX_REPLY_LINE_BYTES = 512;

function encodeLine(line: string): Buffer {
  const bytes = Buffer.from(`${line}\n`, 'utf8');
  return bytes.length > MAX_REPLY_LINE_BYTES ? bytes.subarray(0, MAX_REPLY_LINE_BYTES) : bytes;
}

/**
 * An upsd-compatible NUT server (protocol 1.3, as upsd 2.8.0 answers it), with a
 * scriptable world and switches for faults. Written from PROTOCOLS.md and checked
 * against the real upsd 2.8.0; it shares no code with the NUT client it tests.
 */
export class NutSimulator extends EventEmitter<NutSimulatorEvents> {
  private readonly version: string;
  private readonly idleTimeoutMs: number;
  private readonly maxAgeMs: number | undefined;
  private readonly trackingDelayMs: number;
  private readonly now: () => number;

  private readonly upses = new Map<string, SimUps>();
  private readonly users = new Map<string, SimUser>();
  private readonly sockets = new Map<Session, net.Socket>();
  private readonly idleTimers = new Map<Session, NodeJS.Timeout>();
  private readonly trackingTimers = new Set<NodeJS.Timeout>();
  private readonly tracking = new TrackingTable();
  private readonly faults: Faults;
  private readonly context: CommandContext;
  private server: net.Server | undefined;
  private listening: ListenAddress | undefined;
  private nextClientId = 1;

  constructor(options: NutSimulatorOptions = {}) {
    super();
    this.version = options.version ?? '2.8.0';
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    this.maxAgeMs = options.maxAgeMs;
    this.trackingDelayMs = options.trackingDelayMs ?? 50;
    this.now = options.now ?? Date.now;
    this.faults = new Faults({
      sessions: () => this.sessionsNewestFirst(),
      disconnect: (session, reason) => this.disconnect(session, reason),
      writeRaw: (session, line) => this.sockets.get(session)?.write(encodeLine(line)),
      requireUps: (name) => this.requireUps(name),
    });
    this.context = this.createContext();
  }

  // ---- lifecycle -------------------------------------------------------------

  /** Listens; a (re)start clears upsd's run-time state: FSD latches and tracking ids. */
  async start(options: { host?: string; port?: number } = {}): Promise<ListenAddress> {
    if (this.server) throw new Error('NUT simulator already started');
    const host = options.host ?? '127.0.0.1';
    for (const ups of this.upses.values()) ups.fsd = false;
    this.tracking.clear();
    const server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address() as net.AddressInfo;
    this.listening = { host, port: address.port };
    return this.listening;
  }

  /** Closes every client socket and the listener. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.listening = undefined;
    for (const session of [...this.sockets.keys()]) this.disconnect(session, 'stopped');
    for (const timer of this.trackingTimers) clearTimeout(timer);
    this.trackingTimers.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get address(): ListenAddress | undefined {
    return this.listening;
  }

  /** Connected clients, newest first. */
  clients(): ClientInfo[] {
    return this.sessionsNewestFirst().map((s) => ({ ...s.info }));
  }

  // ---- the world -------------------------------------------------------------

  addUps(name: string, definition: UpsDefinition): void {
    const issues: string[] = [];
    checkName(name, 'name', issues, 'UPS name');
    const checked = validateUpsDefinition(definition, `ups ${name}`, issues);
    if (this.upses.has(name.toLowerCase())) issues.push(`UPS "${name}" already exists (removeUps first)`);
    if (issues.length > 0) throw new NutConfigError(`addUps: ${issues.join('; ')}`);
    this.upses.set(name.toLowerCase(), new SimUps(name, checked, this.now()));
  }

  /** Like upsd when a UPS leaves ups.conf: clients logged into it are disconnected. */
  removeUps(name: string): void {
    const ups = this.requireUps(name);
    for (const session of this.sessionsNewestFirst()) {
      if (session.loginUps === ups.name) this.disconnect(session, 'kicked');
    }
    this.upses.delete(ups.name.toLowerCase());
  }

  hasUps(name: string): boolean {
    return this.upses.has(name.toLowerCase());
  }

  /** The driver reports new values (merged into the old ones); also refreshes the data's age. */
  setVars(name: string, vars: Record<string, string>): void {
    const issues: string[] = [];
    const checked = varsMap(vars, 'vars', issues);
    if (issues.length > 0) throw new NutConfigError(`setVars ${name}: ${issues.join('; ')}`);
    this.requireUps(name).setVars(checked, this.now());
  }

  /** Shorthand for setVars(name, { 'ups.status': status }). */
  setStatus(name: string, status: string): void {
    this.setVars(name, { 'ups.status': status });
  }

  /** A driver heartbeat without new values: the data is fresh again. */
  touch(name: string): void {
    this.requireUps(name).lastUpdate = this.now();
  }

  /** The driver's value (no FSD prefix), or undefined. */
  getVar(name: string, variable: string): string | undefined {
    return this.requireUps(name).rawValue(variable);
  }

  isFsd(name: string): boolean {
    return this.requireUps(name).fsd;
  }

  /** Clears upsd's FSD latch, which otherwise lasts until stop() and start(). */
  clearFsd(name: string): void {
    this.requireUps(name).fsd = false;
  }

  numLogins(name: string): number {
    return this.requireUps(name).numLogins;
  }

  addUser(name: string, definition: UserDefinition): void {
    const issues: string[] = [];
    if (name.length === 0 || /\s/.test(name)) issues.push(`user name "${name}" must be a non-empty word`);
    const checked = validateUserDefinition(definition, `user ${name}`, issues);
    if (issues.length > 0) throw new NutConfigError(`addUser: ${issues.join('; ')}`);
    this.users.set(name, new SimUser(name, checked));
  }

  removeUser(name: string): void {
    this.users.delete(name);
  }

  /** Reports the outcome of a tracked SET/INSTCMD; false if the id is unknown or settled. */
  resolveTracking(id: string, result: TrackingResult = 'SUCCESS'): boolean {
    const resolved = this.tracking.resolve(id, result);
    if (resolved) this.emit('tracking', { id: id.toUpperCase(), result });
    return resolved;
  }

  /** Tracking ids still PENDING. */
  pendingTracking(): string[] {
    return this.tracking.pendingIds();
  }

  // ---- faults ----------------------------------------------------------------

  dropConnections(): void {
    this.faults.dropConnections();
  }

  stall(on: boolean): void {
    this.faults.stall(on);
  }

  garbage(line: string, mode: GarbageMode = 'replace-next'): void {
    this.faults.garbage(line, mode);
  }

  setStale(ups: string, on: boolean): void {
    this.faults.setStale(ups, on);
  }

  setDriverConnected(ups: string, on: boolean): void {
    this.faults.setDriverConnected(ups, on);
  }

  setCommandFailure(ups: string, on: boolean): void {
    this.faults.setCommandFailure(ups, on);
  }

  // ---- connections -----------------------------------------------------------

  private accept(socket: net.Socket): void {
    const info: ClientInfo = { id: this.nextClientId++, address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    const session = new Session(info);
    this.sockets.set(session, socket);
    this.armIdleTimer(session);
    socket.on('data', (chunk: Buffer) => this.receive(session, socket, chunk));
    socket.on('error', () => {
      // the close event that follows does the cleanup
    });
    socket.on('close', () => this.forget(session, 'client'));
    this.emit('connect', { ...info });
  }

  private receive(session: Session, socket: net.Socket, chunk: Buffer): void {
    if (!this.sockets.has(session)) return;
    // a parse error drops the rest of the read, as upsd does; the lines before it stand
    const { lines, parseError } = session.parser.feed(chunk);
    for (const args of lines) {
      this.armIdleTimer(session);
      const stalled = this.faults.stalled;
      this.emit('request', { client: { ...session.info }, args: [...args], stalled });
      if (stalled || socket.destroyed) continue;
      const reply = executeRequest(this.context, session, args);
      this.send(session, socket, reply);
    }
    if (parseError !== undefined) this.emit('parseError', { client: { ...session.info }, message: parseError });
    if (session.closing) this.disconnect(session, 'logout');
  }

  private send(session: Session, socket: net.Socket, reply: string[]): void {
    if (session.pendingGarbage !== undefined) {
      const garbage = session.pendingGarbage;
      session.pendingGarbage = undefined;
      socket.write(encodeLine(garbage));
      return;
    }
    socket.write(Buffer.concat(reply.map(encodeLine)));
  }

  private armIdleTimer(session: Session): void {
    const existing = this.idleTimers.get(session);
    if (existing) {
      existing.refresh();
      return;
    }
    const timer = setTimeout(() => this.idleExpired(session), this.idleTimeoutMs);
    timer.unref();
    this.idleTimers.set(session, timer);
  }

  private idleExpired(session: Session): void {
    // a hung server does not run its clean-up loop either
    if (this.faults.stalled) {
      this.idleTimers.get(session)?.refresh();
      return;
    }
    this.disconnect(session, 'idle');
  }

  /** Ends a connection from our side; LOGOUT lets the reply flush first. */
  private disconnect(session: Session, reason: DisconnectEvent['reason']): void {
    const socket = this.sockets.get(session);
    if (!socket) return;
    this.forget(session, reason);
    // upsd close()s the socket: after LOGOUT the goodbye is flushed first
    if (reason === 'logout') socket.end(() => socket.destroy());
    else socket.destroy();
  }

  /** upsd's client_disconnect: the login no longer counts. */
  private forget(session: Session, reason: DisconnectEvent['reason']): void {
    if (!this.sockets.delete(session)) return;
    const timer = this.idleTimers.get(session);
    if (timer) clearTimeout(timer);
    this.idleTimers.delete(session);
    if (session.loginUps !== undefined) {
      const ups = this.upses.get(session.loginUps.toLowerCase());
      if (ups && ups.numLogins > 0) ups.numLogins -= 1;
    }
    this.emit('disconnect', { client: { ...session.info }, reason });
  }

  private sessionsNewestFirst(): Session[] {
    return [...this.sockets.keys()].reverse();
  }

  private requireUps(name: string): SimUps {
    const ups = this.upses.get(name.toLowerCase());
    if (!ups) throw new NutConfigError(`no simulated UPS named "${name}"`);
    return ups;
  }

  private isStale(ups: SimUps): boolean {
    if (ups.stale) return true;
    return this.maxAgeMs !== undefined && this.now() - ups.lastUpdate > this.maxAgeMs;
  }

  private trackingStarted(id: string): void {
    if (!Number.isFinite(this.trackingDelayMs)) return;
    const timer = setTimeout(() => {
      this.trackingTimers.delete(timer);
      this.resolveTracking(id, 'SUCCESS');
    }, this.trackingDelayMs);
    timer.unref();
    this.trackingTimers.add(timer);
  }

  private createContext(): CommandContext {
    return {
      version: this.version,
      tracking: this.tracking,
      now: () => this.now(),
      findUps: (name) => this.upses.get(name.toLowerCase()),
      allUps: () => [...this.upses.values()],
      findUser: (name) => this.users.get(name),
      sessions: () => this.sessionsNewestFirst(),
      isStale: (ups) => this.isStale(ups),
      trackingStarted: (id) => this.trackingStarted(id),
      emit: (event, ...args) => {
        // the context's signature already ties each event to its arguments
        (this.emit as (event: string, ...rest: unknown[]) => boolean)(event, ...args);
      },
    };
  }
}
