import type * as http from 'node:http';
import type { ApiError } from './api-error';

const COMMON_HEADERS = {
  'Cache-Control': 'max-age=0',
  Pragma: 'no-cache',
  Server: 'pve-api-daemon/3.0',
};

function send(res: http.ServerResponse, status: number, reason: string, body: string, contentType?: string): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | number> = { ...COMMON_HEADERS, 'Content-Length': Buffer.byteLength(body) };
  if (contentType !== undefined) headers['Content-Type'] = contentType;
  res.writeHead(status, reason, headers);
  res.end(body);
}

/** Success: `200 {"data": …}`. */
export function sendData(res: http.ServerResponse, data: unknown): void {
  send(res, 200, 'OK', JSON.stringify({ data: data ?? null }), 'application/json;charset=UTF-8');
}

/** An error: the reason phrase is the message's first line; proxy auth failures have no body. */
export function sendError(res: http.ServerResponse, error: ApiError): void {
  const reason = (error.message.split('\n')[0] ?? '').replace(/[^\x20-\x7e]/g, '?');
  if (error.extra.fromProxy) {
    send(res, error.status, reason, '');
    return;
  }
  const body: Record<string, unknown> = { data: null, message: `${error.message}\n` };
  if (error.extra.errors) body.errors = error.extra.errors;
  send(res, error.status, reason, JSON.stringify(body), 'application/json;charset=UTF-8');
}
