/** The inner request/reply layer both transports carry (PROTOCOLS.md §3.3, §3.4). */

export const ErrorCode = {
  OK: 0,
  UNKNOWN_METHOD: -1002,
  JSON_DECODE: -1003,
  AES_DECODE: -1005,
  BAD_PARAMS: -1008,
  INVALID_PUBLIC_KEY: -1010,
  INVALID_CREDENTIALS: -1501,
  UNKNOWN_TRANSPORT: 1003,
  SESSION_TIMEOUT: 9999,
} as const;

export interface InnerRequest {
  method: string;
  /** Undefined when the client left params out (allowed); null is kept so methods can refuse it. */
  params: unknown;
}

export interface InnerReply {
  error_code: number;
  result?: unknown;
}

export function errorReply(code: number): InnerReply {
  return { error_code: code };
}

export function okReply(result: unknown): InnerReply {
  return { error_code: ErrorCode.OK, result };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** {method, params, request_time_milis} from JSON text, or the error the device answers. */
export function parseInner(text: string): InnerRequest | InnerReply {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return errorReply(ErrorCode.JSON_DECODE);
  }
  if (!isRecord(parsed)) return errorReply(ErrorCode.JSON_DECODE);
  if (typeof parsed.method !== 'string') return errorReply(ErrorCode.UNKNOWN_METHOD);
  return { method: parsed.method, params: parsed.params };
}

export function isReply(value: InnerRequest | InnerReply): value is InnerReply {
  return 'error_code' in value;
}

export function encodeReply(reply: InnerReply): Buffer {
  return Buffer.from(JSON.stringify(reply), 'utf8');
}
