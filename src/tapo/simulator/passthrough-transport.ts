import * as crypto from 'node:crypto';
import { jsonReply, type SimReply, type SimRequest, statusReply } from './http';
import { encodeReply, ErrorCode, errorReply, type InnerReply, type InnerRequest, isRecord, isReply, okReply, parseInner } from './inner';
import {
  loginPassword,
  loginPassword2,
  loginUsername,
  newPassthroughKeys,
  parseClientKey,
  passthroughDecrypt,
  passthroughEncrypt,
  type PassthroughKeys,
  wrapSessionKeys,
} from './passthrough';
import { SessionStore } from './sessions';
import { sessionCookieHeader, type Transport, type TransportHost } from './transport';

export interface PassthroughTransportOptions {
  email: string;
  password: string;
  sessionTimeoutS: number;
  now: () => number;
}

interface PassthroughSession {
  keys: PassthroughKeys;
  /** Issued by login_device; every later request must carry it as ?token=. */
  token: string | undefined;
}

/**
 * securePassthrough on POST /app (PROTOCOLS.md §3.2). Errors of the session
 * cookie come back in the outer JSON (there is no key to encrypt them with);
 * errors of the token and the methods come back inside the encrypted reply.
 */
export class PassthroughTransport implements Transport {
  private readonly sessions: SessionStore<PassthroughSession>;

  constructor(
    private readonly options: PassthroughTransportOptions,
    private readonly host: TransportHost,
  ) {
    this.sessions = new SessionStore(options.sessionTimeoutS, options.now);
  }

  handle(request: SimRequest): SimReply {
    // KLAP's endpoints do not exist on this firmware
    if (request.path !== '/app') return statusReply(404);
    let outer: unknown;
    try {
      outer = JSON.parse(request.body.toString('utf8'));
    } catch {
      return jsonReply(errorReply(ErrorCode.JSON_DECODE));
    }
    if (!isRecord(outer)) return jsonReply(errorReply(ErrorCode.JSON_DECODE));
    const params = outer.params;
    switch (outer.method) {
      case 'handshake':
        return this.handshake(params);
      case 'securePassthrough':
        return this.securePassthrough(request, params);
      case 'component_nego':
        // answered in the clear: it is how a client learns which transport to use
        return jsonReply(this.host.componentNego());
      default:
        return jsonReply(errorReply(ErrorCode.UNKNOWN_METHOD));
    }
  }

  expireSessions(): void {
    this.sessions.clear();
  }

  private handshake(params: unknown): SimReply {
    const clientKey = isRecord(params) ? parseClientKey(params.key) : undefined;
    if (!clientKey) return jsonReply(errorReply(ErrorCode.INVALID_PUBLIC_KEY));
    const keys = newPassthroughKeys();
    const id = this.sessions.create({ keys, token: undefined });
    this.host.handshakeDone();
    return jsonReply(okReply({ key: wrapSessionKeys(clientKey, keys) }), sessionCookieHeader(id, this.options.sessionTimeoutS));
  }

  private securePassthrough(request: SimRequest, params: unknown): SimReply {
    const session = this.sessions.get(request.sessionId);
    if (!session) return jsonReply(errorReply(ErrorCode.SESSION_TIMEOUT));
    if (!isRecord(params) || typeof params.request !== 'string') return jsonReply(errorReply(ErrorCode.BAD_PARAMS));
    let plaintext: Buffer;
    try {
      plaintext = passthroughDecrypt(session.keys, params.request);
    } catch {
      return jsonReply(errorReply(ErrorCode.AES_DECODE));
    }
    this.host.requestReceived();
    const inner = parseInner(plaintext.toString('utf8'));
    const reply = isReply(inner) ? inner : this.run(session, inner, request);
    return jsonReply(okReply({ response: passthroughEncrypt(session.keys, encodeReply(reply)) }));
  }

  private run(session: PassthroughSession, inner: InnerRequest, request: SimRequest): InnerReply {
    if (inner.method === 'login_device') return this.login(session, inner.params);
    const token = request.query.get('token');
    if (session.token === undefined || token === null || !sameText(token, session.token)) return errorReply(ErrorCode.SESSION_TIMEOUT);
    return this.host.execute(inner, request.localAddress);
  }

  /** v1 sends base64(password), v2 password2 = base64(hex(SHA1(password))); both are accepted. */
  private login(session: PassthroughSession, params: unknown): InnerReply {
    if (!isRecord(params) || typeof params.username !== 'string') return errorReply(ErrorCode.BAD_PARAMS);
    const { password, password2 } = params;
    if (typeof password !== 'string' && typeof password2 !== 'string') return errorReply(ErrorCode.BAD_PARAMS);
    const userOk = sameText(params.username, loginUsername(this.options.email));
    const passwordOk =
      (typeof password === 'string' && sameText(password, loginPassword(this.options.password))) ||
      (typeof password2 === 'string' && sameText(password2, loginPassword2(this.options.password)));
    if (!userOk || !passwordOk) return errorReply(ErrorCode.INVALID_CREDENTIALS);
    session.token = crypto.randomBytes(16).toString('hex').toUpperCase();
    return okReply({ token: session.token });
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
