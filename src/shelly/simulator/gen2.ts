import { Gen2Auth } from './gen2-auth';
import { Gen2Rpc, INVALID_ARGUMENT, NOT_FOUND, type RpcOutcome } from './gen2-rpc';
import { jsonReply, type HttpReply, parseTarget, type SimRequest } from './http';
import type { NonceTable } from './nonces';
import type { PlugState } from './state';

export interface Gen2Identity {
  id: string;
  mac: string;
}

/** One RPC call as either HTTP form delivers it. */
interface RpcCall {
  form: 'get' | 'post';
  method: string;
  params: unknown;
  /** POST envelope fields, echoed in the reply. */
  rpcId?: unknown;
  src?: unknown;
  bodyAuth?: unknown;
  /** Set when the POST body was unusable; reported after auth, as the device would. */
  invalid?: string;
}

/** GET-form query values are JSON where they parse (on=false, id=0), else plain strings. */
function queryParams(search: URLSearchParams): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, text] of search) {
    try {
      params[key] = JSON.parse(text) as unknown;
    } catch {
      params[key] = text;
    }
  }
  return params;
}

function postCall(body: Buffer): RpcCall {
  let envelope: unknown;
  try {
    envelope = JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return { form: 'post', method: '', params: undefined, invalid: 'body is not JSON' };
  }
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    return { form: 'post', method: '', params: undefined, invalid: 'body must be a JSON object' };
  }
  const record = envelope as Record<string, unknown>;
  const call: RpcCall = { form: 'post', method: '', params: record.params, rpcId: record.id, src: record.src, bodyAuth: record.auth };
  if (typeof record.method !== 'string' || record.method === '') call.invalid = 'method must be a non-empty string';
  else call.method = record.method;
  return call;
}

/**
 * A Gen2 plug's HTTP face: GET /shelly, and RPC as GET /rpc/<Method>?… or POST /rpc.
 * Status codes are our choice where PROTOCOLS.md is silent: POST always answers
 * 200 with a JSON-RPC envelope (result or error); the GET form answers the bare
 * result, or the bare error object with 400 (-103) or 404 (-105).
 */
export class Gen2Device {
  private readonly rpc: Gen2Rpc;
  private readonly auth: Gen2Auth | undefined;

  constructor(
    private readonly identity: Gen2Identity,
    state: PlugState,
    password: string | undefined,
    nonces: NonceTable,
  ) {
    this.rpc = new Gen2Rpc(state, () => this.info());
    this.auth = password === undefined ? undefined : new Gen2Auth(identity.id, password, nonces);
  }

  info(): Record<string, unknown> {
    return {
      id: this.identity.id,
      mac: this.identity.mac,
      model: 'SNPL-00112EU',
      gen: 2,
      fw_id: '20241011-114455/1.4.4-g6d2a586',
      ver: '1.4.4',
      app: 'PlugS',
      auth_en: this.auth !== undefined,
      auth_domain: this.auth === undefined ? null : this.identity.id,
    };
  }

  handle(request: SimRequest): HttpReply {
    const target = parseTarget(request.url);
    if (request.method === 'GET' && target.pathname === '/shelly') return jsonReply(this.info());
    let call: RpcCall;
    if (request.method === 'GET' && target.pathname.startsWith('/rpc/')) {
      call = { form: 'get', method: target.pathname.slice('/rpc/'.length), params: queryParams(target.searchParams) };
    } else if (request.method === 'POST' && target.pathname === '/rpc') {
      call = postCall(request.body);
    } else {
      return jsonReply({ code: NOT_FOUND, message: `No handler for ${request.method} ${target.pathname}` }, 404);
    }
    if (this.auth) {
      const outcome = this.auth.check(request, call.bodyAuth);
      if (!outcome.ok) return this.auth.challenge(outcome.stale, this.reply(call, { error: { code: 401, message: 'Unauthorized' } }).body);
    }
    if (call.invalid !== undefined) return this.reply(call, { error: { code: INVALID_ARGUMENT, message: call.invalid } });
    return this.reply(call, this.rpc.call(call.method, call.params));
  }

  private reply(call: RpcCall, outcome: RpcOutcome): HttpReply {
    if (call.form === 'post') {
      const envelope = { id: call.rpcId ?? null, src: this.identity.id, dst: call.src, ...outcome };
      return jsonReply(envelope);
    }
    if ('result' in outcome) return jsonReply(outcome.result);
    const status = outcome.error.code === NOT_FOUND ? 404 : 400;
    return jsonReply(outcome.error, status);
  }
}
