/**
 * Small HTTP(S) helpers for the device clients: one request, the whole body,
 * network failures as TargetUnreachableError (transient) with the device named.
 */
import * as http from 'node:http';
import type * as https from 'node:https';
import { ActionError, TargetUnreachableError } from '../errors';

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export function httpRequest(
  module: typeof http | typeof https,
  options: http.RequestOptions | https.RequestOptions,
  body: Buffer | string | undefined,
  where: string,
  timeoutMs: number,
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const request = module.request({ ...options, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', (error) => reject(new TargetUnreachableError(`${where}: ${error.message}`, { cause: error })));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof ActionError) return reject(error); // already ours (a refused pin, say)
      reject(new TargetUnreachableError(`${where}: ${error.code ?? ''} ${error.message}`.replace(/\s+/g, ' ').trim(), { cause: error }));
    });
    request.end(body);
  });
}

/** `key=value, key="value"` fields of an auth header; values split on the first `=` only (nonces may end in `=`). */
export function parseAuthFields(header: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const rest = header.replace(/^\s*\w+\s+/, '');
  for (const match of rest.matchAll(/([a-zA-Z0-9_-]+)\s*=\s*("([^"]*)"|[^,\s]*)/g)) {
    fields[match[1]!.toLowerCase()] = match[3] ?? match[2]!;
  }
  return fields;
}
