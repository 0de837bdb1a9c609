import type { IncomingHttpHeaders } from 'node:http';

/** What the device handlers see of a request: the body is already read, so handlers stay synchronous. */
export interface SimRequest {
  method: string;
  /** The request target as sent (path and query), which the digest `uri` must match. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A reply as data; the server writes it and counts 401/429 from it. */
export interface HttpReply {
  status: number;
  headers?: Record<string, string>;
  /** A string goes out as text/plain, anything else as JSON. */
  body: unknown;
}

export function jsonReply(body: unknown, status = 200, headers?: Record<string, string>): HttpReply {
  return { status, body, ...(headers === undefined ? {} : { headers }) };
}

export function textReply(status: number, text: string, headers?: Record<string, string>): HttpReply {
  return { status, body: text, ...(headers === undefined ? {} : { headers }) };
}

/** Path and query of a request target; the base only satisfies the URL parser. */
export function parseTarget(url: string): URL {
  return new URL(url, 'http://device.invalid');
}

/** The id's trailing hex as a 12-digit MAC, as the devices embed theirs in the id. */
export function macFromId(id: string): string {
  const hex = /([0-9a-f]+)$/i.exec(id)?.[1] ?? '';
  const padded = hex.length >= 12 ? hex.slice(-12) : 'AABBCCDDEEFF'.slice(0, 12 - hex.length) + hex;
  return padded.toUpperCase();
}
