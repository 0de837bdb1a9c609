import { BODY_FORM_HA2_INPUT, digestResponse, parseDigestHeader, sameDigest } from './digest';
import type { HttpReply, SimRequest } from './http';
import type { NonceTable } from './nonces';

/** ok, or a refusal; stale = the digest was right for a nonce that has since expired (RFC 7616 §3.3). */
export type AuthOutcome = { ok: true } | { ok: false; stale: boolean };

const REFUSED: AuthOutcome = { ok: false, stale: false };

/** One presented credential, from either form, reduced to what the check needs. */
interface Presented {
  realm: string;
  username: string;
  algorithm: string;
  nonce: string;
  cnonce: string;
  response: string;
  /** The nc exactly as hashed, and its value for the replay rule (undefined: no nc rule). */
  ncText: string;
  nc: number | undefined;
  ha2Input: string;
}

function textField(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  // numeric nonces and cnonces arrive as JSON numbers from some clients
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** The header form (RFC 7616); the uri must be this request's target. */
function fromHeader(request: SimRequest): Presented | undefined {
  const fields = parseDigestHeader(request.headers.authorization);
  if (!fields) return undefined;
  const ncText = fields.get('nc') ?? '';
  const nonce = fields.get('nonce');
  const cnonce = fields.get('cnonce');
  const response = fields.get('response');
  if (!/^[0-9a-f]{8}$/i.test(ncText) || nonce === undefined || cnonce === undefined || response === undefined) return undefined;
  if (fields.get('qop') !== 'auth' || fields.get('uri') !== request.url) return undefined;
  return {
    realm: fields.get('realm') ?? '',
    username: fields.get('username') ?? '',
    algorithm: fields.get('algorithm') ?? '',
    nonce,
    cnonce,
    response,
    ncText,
    nc: Number.parseInt(ncText, 16),
    ha2Input: `${request.method}:${request.url}`,
  };
}

/**
 * The in-body form (POST /rpc `auth`). It carries no nc; like Shelly's own
 * sample code we hash nc as "1", and the nc rule cannot apply, so only the
 * nonce's lifetime and use count limit it.
 */
function fromBody(auth: unknown): Presented | undefined {
  if (typeof auth !== 'object' || auth === null) return undefined;
  const record = auth as Record<string, unknown>;
  const nonce = textField(record.nonce);
  const cnonce = textField(record.cnonce);
  const response = textField(record.response);
  if (nonce === undefined || cnonce === undefined || response === undefined) return undefined;
  return {
    realm: textField(record.realm) ?? '',
    username: textField(record.username) ?? '',
    algorithm: textField(record.algorithm) ?? '',
    nonce,
    cnonce,
    response,
    ncText: '1',
    nc: undefined,
    ha2Input: BODY_FORM_HA2_INPUT,
  };
}

/** Gen2 digest auth (SHA-256, user admin, realm = device id) over the device's nonce slots. */
export class Gen2Auth {
  constructor(
    private readonly realm: string,
    private readonly password: string,
    private readonly nonces: NonceTable,
  ) {}

  /** The header form wins when both are present; bodyAuth is the POST body's `auth`, if any. */
  check(request: SimRequest, bodyAuth: unknown): AuthOutcome {
    const presented = request.headers.authorization === undefined ? fromBody(bodyAuth) : fromHeader(request);
    if (!presented) return REFUSED;
    if (presented.username !== 'admin' || presented.realm !== this.realm) return REFUSED;
    if (presented.algorithm.toUpperCase() !== 'SHA-256') return REFUSED;
    const state = this.nonces.state(presented.nonce);
    if (state === 'unknown') return REFUSED;
    const expected = digestResponse({
      realm: this.realm,
      password: this.password,
      nonce: presented.nonce,
      nc: presented.ncText,
      cnonce: presented.cnonce,
      ha2Input: presented.ha2Input,
    });
    if (!sameDigest(expected, presented.response)) return REFUSED;
    // the right password on a worn-out nonce: tell the client to just re-hash
    if (state === 'retired') return { ok: false, stale: true };
    // a replayed or lower nc is a fresh challenge, not stale
    return this.nonces.use(presented.nonce, presented.nc) === 'ok' ? { ok: true } : REFUSED;
  }

  /** 401 with a new nonce, or 429 when the slots are all younger than a second. */
  challenge(stale: boolean, body: unknown): HttpReply {
    const nonce = this.nonces.issue();
    if (nonce === undefined) {
      return { status: 429, headers: { 'Retry-After': '1' }, body: { code: 429, message: 'Too Many Requests' } };
    }
    const header = `Digest qop="auth", realm="${this.realm}", nonce="${nonce}", algorithm=SHA-256${stale ? ', stale=true' : ''}`;
    return { status: 401, headers: { 'WWW-Authenticate': header }, body };
  }
}
