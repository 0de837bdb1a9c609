/** What clients did, for tests to await (`once(sim, 'instcmd')`). */

export interface ClientInfo {
  /** Simulator-wide connection number, in connection order. */
  id: number;
  address: string;
  port: number;
}

export interface RequestEvent {
  client: ClientInfo;
  /** The request as parsed, command word first. */
  args: string[];
  /** True when the request was swallowed by the stall fault. */
  stalled: boolean;
}

export interface ParseErrorEvent {
  client: ClientInfo;
  message: string;
}

export interface LoginEvent {
  client: ClientInfo;
  ups: string;
  user: string;
}

export interface LogoutEvent {
  client: ClientInfo;
  user: string | undefined;
  /** The UPS the client was logged into, if any. */
  ups: string | undefined;
}

export interface InstcmdEvent {
  client: ClientInfo;
  ups: string;
  cmd: string;
  param: string | undefined;
  user: string;
  trackingId: string | undefined;
}

export interface SetvarEvent {
  client: ClientInfo;
  ups: string;
  name: string;
  value: string;
  previous: string | undefined;
  user: string;
  trackingId: string | undefined;
}

export interface FsdEvent {
  client: ClientInfo;
  ups: string;
  user: string;
}

export interface TrackingEvent {
  id: string;
  result: TrackingResult;
}

export type TrackingResult = 'SUCCESS' | 'ERR UNKNOWN' | 'ERR INVALID-ARGUMENT' | 'ERR FAILED';

export interface DisconnectEvent {
  client: ClientInfo;
  /** Why the simulator ended it, or `client` when the peer closed. */
  reason: 'client' | 'logout' | 'idle' | 'dropped' | 'stopped' | 'kicked';
}

export interface NutSimulatorEvents {
  connect: [ClientInfo];
  disconnect: [DisconnectEvent];
  request: [RequestEvent];
  /** A read hit a parse error (an unescaped # inside quotes); the rest of it was dropped. */
  parseError: [ParseErrorEvent];
  login: [LoginEvent];
  logout: [LogoutEvent];
  instcmd: [InstcmdEvent];
  setvar: [SetvarEvent];
  fsd: [FsdEvent];
  tracking: [TrackingEvent];
}
