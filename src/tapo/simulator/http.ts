import type * as http from 'node:http';

/** What a transport needs from one HTTP request, already read. */
export interface SimRequest {
  path: string;
  query: URLSearchParams;
  /** The TP_SESSIONID cookie, if the client sent one. */
  sessionId: string | undefined;
  body: Buffer;
  /** The address the client reached us on, reported as the plug's ip. */
  localAddress: string;
}

export interface SimReply {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

/** Requests to a plug are tiny; anything bigger is a client bug, not a reason to buffer it. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The whole body, or undefined when it is over MAX_BODY_BYTES (read to the end, so the 413 still gets through). */
export function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Only TP_SESSIONID matters; a client that echoes TIMEOUT back is tolerated. */
export function sessionCookie(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === 'TP_SESSIONID') return value.join('=');
  }
  return undefined;
}

export function jsonReply(value: unknown, headers: Record<string, string> = {}): SimReply {
  return { status: 200, headers: { 'Content-Type': 'application/json;charset=UTF-8', ...headers }, body: JSON.stringify(value) };
}

export function statusReply(status: number): SimReply {
  return { status };
}

/** An IPv4-mapped address reads as the plain IPv4 one, as the device would report it. */
export function plainAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}
