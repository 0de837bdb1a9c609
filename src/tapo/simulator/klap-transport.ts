import * as crypto from 'node:crypto';
import { jsonReply, type SimReply, type SimRequest, statusReply } from './http';
import { encodeReply, ErrorCode, errorReply, isReply, parseInner } from './inner';
import { handshake1Hash, handshake2Hash, klapDecrypt, klapEncrypt, type KlapSessionKeys, klapSessionKeys, klapVerify, seqAfter } from './klap';
import { SessionStore } from './sessions';
import { sessionCookieHeader, type Transport, type TransportHost } from './transport';

export interface KlapTransportOptions {
  authHash: Buffer;
  sessionTimeoutS: number;
  thirdPartyCompatibility: boolean;
  randomSeed: () => Buffer;
  now: () => number;
}

interface KlapSession {
  localSeed: Buffer;
  remoteSeed: Buffer;
  /** Set once handshake 2 proved the client knows the credentials. */
  keys: KlapSessionKeys | undefined;
  lastSeq: number;
}

const INT32 = /^-?\d{1,10}$/;

function parseSeq(text: string | null): number | undefined {
  if (text === null || !INT32.test(text)) return undefined;
  const seq = Number(text);
  return seq >= -0x8000_0000 && seq <= 0x7fff_ffff ? seq : undefined;
}

function octets(body: Buffer): SimReply {
  return { status: 200, headers: { 'Content-Type': 'application/octet-stream' }, body };
}

/** KLAP on plain HTTP (PROTOCOLS.md §3.1): two handshakes, then signed AES requests. */
export class KlapTransport implements Transport {
  private readonly sessions: SessionStore<KlapSession>;

  constructor(
    private readonly options: KlapTransportOptions,
    private readonly host: TransportHost,
  ) {
    this.sessions = new SessionStore(options.sessionTimeoutS, options.now);
  }

  handle(request: SimRequest): SimReply {
    switch (request.path) {
      case '/app/handshake1':
        return this.handshake1(request);
      case '/app/handshake2':
        return this.handshake2(request);
      case '/app/request':
        return this.request(request);
      case '/app':
        // a KLAP device refuses every securePassthrough-era method, which is how clients tell
        return jsonReply(errorReply(ErrorCode.UNKNOWN_TRANSPORT));
      default:
        return statusReply(404);
    }
  }

  expireSessions(): void {
    this.sessions.clear();
  }

  private handshake1(request: SimRequest): SimReply {
    // what the device does while "Third-Party Compatibility" is off in the Tapo app
    if (!this.options.thirdPartyCompatibility) return statusReply(403);
    if (request.body.length !== 16) return statusReply(400);
    const remoteSeed = this.options.randomSeed();
    if (remoteSeed.length !== 16) throw new Error(`randomSeed must give 16 bytes, gave ${remoteSeed.length}`);
    const localSeed = Buffer.from(request.body);
    const id = this.sessions.create({ localSeed, remoteSeed, keys: undefined, lastSeq: 0 });
    const proof = handshake1Hash(localSeed, remoteSeed, this.options.authHash);
    const reply = octets(Buffer.concat([remoteSeed, proof]));
    return { ...reply, headers: { ...reply.headers, ...sessionCookieHeader(id, this.options.sessionTimeoutS) } };
  }

  private handshake2(request: SimRequest): SimReply {
    const session = this.sessions.get(request.sessionId);
    if (!session || session.keys !== undefined || request.sessionId === undefined) return statusReply(403);
    const expected = handshake2Hash(session.localSeed, session.remoteSeed, this.options.authHash);
    if (request.body.length !== expected.length || !crypto.timingSafeEqual(request.body, expected)) {
      // a failed proof burns the session: the client has to start again
      this.sessions.delete(request.sessionId);
      return statusReply(403);
    }
    session.keys = klapSessionKeys(session.localSeed, session.remoteSeed, this.options.authHash);
    session.lastSeq = session.keys.seq0;
    this.host.handshakeDone();
    return statusReply(200);
  }

  private request(request: SimRequest): SimReply {
    const session = this.sessions.get(request.sessionId);
    const keys = session?.keys;
    if (!session || !keys) return statusReply(403);
    const seq = parseSeq(request.query.get('seq'));
    if (seq === undefined) return statusReply(400);
    const ciphertext = klapVerify(keys, seq, request.body);
    // a bad signature or a replayed/old seq both read as "session invalid"
    if (!ciphertext || !seqAfter(seq, session.lastSeq)) return statusReply(403);
    session.lastSeq = seq;
    this.host.requestReceived();
    let plaintext: Buffer;
    try {
      plaintext = klapDecrypt(keys, seq, ciphertext);
    } catch {
      return octets(klapEncrypt(keys, seq, encodeReply(errorReply(ErrorCode.AES_DECODE))));
    }
    const inner = parseInner(plaintext.toString('utf8'));
    const reply = isReply(inner) ? inner : this.host.execute(inner, request.localAddress);
    return octets(klapEncrypt(keys, seq, encodeReply(reply)));
  }
}
