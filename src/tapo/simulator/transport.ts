import type { SimReply, SimRequest } from './http';
import type { InnerReply, InnerRequest } from './inner';

/** What a transport asks of the simulator around it. */
export interface TransportHost {
  /** A session is established (KLAP handshake 2 accepted, passthrough key exchanged). */
  handshakeDone(): void;
  /** An inner request got through the transport's checks and decrypted. */
  requestReceived(): void;
  /** Runs a device method (after any failNext). */
  execute(request: InnerRequest, ip: string): InnerReply;
  /** The plug's component list, for the unencrypted component_nego probe. */
  componentNego(): InnerReply;
}

export interface Transport {
  handle(request: SimRequest): SimReply;
  /** Every live session becomes invalid. */
  expireSessions(): void;
}

/** TP_SESSIONID plus TIMEOUT in one header, as the device sends it. */
export function sessionCookieHeader(id: string, timeoutS: number): Record<string, string> {
  return { 'Set-Cookie': `TP_SESSIONID=${id};TIMEOUT=${timeoutS}` };
}
