import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError, proxyAuthError } from './api-error';
import type { Params } from './params';

export type TokenPrivileges = 'all' | 'audit-only';

/** Who made a request. */
export interface Principal {
  /** `user@realm`. */
  user: string;
  /** Set for an API token: the part after `!`. */
  tokenid?: string;
  /** An 'audit-only' token may read (VM.Audit, Sys.Audit) but not power anything. */
  auditOnly: boolean;
}

export interface TicketReply {
  username: string;
  ticket: string;
  CSRFPreventionToken: string;
}

/** PVE tickets last two hours. */
const TICKET_LIFETIME_MS = 2 * 60 * 60 * 1000;
const USER_ID = /^[^\s:@!]+@[A-Za-z][A-Za-z0-9._-]*$/;
const TOKEN_HEADER = /^PVEAPIToken[= ](\S+)!([^=:\s]+)[=:](\S+)$/;

/** Compares secrets in constant time (hashing first makes the lengths equal). */
function sameSecret(a: string, b: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function hex8(seconds: number): string {
  return seconds.toString(16).toUpperCase().padStart(8, '0');
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) {
      const value = rest.join('=');
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
  return undefined;
}

/** Users, API tokens and the tickets handed out; the proxy's authentication check. */
export class Accounts {
  private readonly tokens = new Map<string, { secret: string; privileges: TokenPrivileges }>();
  private readonly users = new Map<string, string>();
  private readonly tickets = new Map<string, { user: string; issuedAt: number }>();
  private readonly csrfTokens = new Map<string, { user: string; issuedAt: number }>();

  constructor(private readonly now: () => number) {}

  addToken(tokenId: string, secret: string, privileges: TokenPrivileges): void {
    const [user, name, ...rest] = tokenId.split('!');
    if (user === undefined || !USER_ID.test(user) || name === undefined || !/^[A-Za-z][A-Za-z0-9._-]*$/.test(name) || rest.length > 0) {
      throw new Error(`token id "${tokenId}" must look like user@realm!tokenid`);
    }
    if (secret === '' || /\s/.test(secret)) throw new Error(`token ${tokenId}: the secret must be a non-empty word`);
    this.tokens.set(tokenId, { secret, privileges });
  }

  addUser(username: string, password: string): void {
    if (!USER_ID.test(username)) throw new Error(`user name "${username}" must look like user@realm`);
    this.users.set(username, password);
  }

  /**
   * The proxy's check before any handler runs: an API token header, or a ticket
   * cookie plus, on anything but GET, the CSRF header. Throws a 401 `fromProxy`.
   */
  authenticate(headers: IncomingHttpHeaders, method: string): Principal {
    const authorization = headers.authorization;
    if (authorization !== undefined && authorization.startsWith('PVEAPIToken')) return this.checkToken(authorization);
    const ticket = cookieValue(headers.cookie, 'PVEAuthCookie');
    if (ticket === undefined || ticket === '') throw proxyAuthError('No ticket');
    const user = this.ticketUser(ticket);
    if (user === undefined) throw proxyAuthError('Authentication failed!');
    if (method !== 'GET' && method !== 'HEAD') {
      const csrf = headers.csrfpreventiontoken;
      const issued = typeof csrf === 'string' ? this.csrfTokens.get(csrf) : undefined;
      if (issued === undefined || issued.user !== user || this.expired(issued.issuedAt)) {
        throw proxyAuthError('Permission denied - invalid csrf token');
      }
    }
    return { user, auditOnly: false };
  }

  /** POST /access/ticket: a password, or a still-valid ticket of the same user to renew. */
  login(params: Params): TicketReply {
    let username = params.required('username');
    const realm = params.str('realm');
    if (!username.includes('@') && realm !== undefined) username = `${username}@${realm}`;
    const password = params.required('password');
    const stored = this.users.get(username);
    const ok = (stored !== undefined && sameSecret(stored, password)) || (stored !== undefined && this.ticketUser(password) === username);
    // a handler's 401: unlike the proxy's, it has a JSON body
    if (!ok) throw new ApiError(401, 'authentication failure');
    const issuedAt = this.now();
    const stamp = hex8(Math.floor(issuedAt / 1000));
    const ticket = `PVE:${username}:${stamp}::${randomBytes(96).toString('base64')}`;
    const csrf = `${stamp}:${randomBytes(32).toString('base64').replace(/=+$/, '')}`;
    this.tickets.set(ticket, { user: username, issuedAt });
    this.csrfTokens.set(csrf, { user: username, issuedAt });
    return { username, ticket, CSRFPreventionToken: csrf };
  }

  private checkToken(header: string): Principal {
    const match = TOKEN_HEADER.exec(header.trim());
    const [, user, tokenid, secret] = match ?? [];
    if (user === undefined || tokenid === undefined || secret === undefined) throw proxyAuthError('Authentication failed!');
    const token = this.tokens.get(`${user}!${tokenid}`);
    if (token === undefined || !sameSecret(token.secret, secret)) throw proxyAuthError('Authentication failed!');
    return { user, tokenid, auditOnly: token.privileges === 'audit-only' };
  }

  private ticketUser(ticket: string): string | undefined {
    const issued = this.tickets.get(ticket);
    if (issued === undefined || this.expired(issued.issuedAt)) return undefined;
    return issued.user;
  }

  private expired(issuedAt: number): boolean {
    return this.now() - issuedAt > TICKET_LIFETIME_MS;
  }
}
