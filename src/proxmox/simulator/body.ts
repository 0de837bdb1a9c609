import type * as http from 'node:http';
import { ApiError } from './api-error';

const MAX_BODY_BYTES = 64 * 1024;

export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new ApiError(413, 'Request Entity Too Large'));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function scalar(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  throw new ApiError(400, 'Parameter verification failed.', { errors: { [name]: 'value must be a scalar' } });
}

/**
 * A POST body as flat string parameters: form-urlencoded (what PVE documents,
 * booleans as 0/1) or JSON (which current servers also take).
 */
export function parseBody(contentType: string | undefined, body: Buffer): Record<string, string> {
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ApiError(400, 'malformed JSON in request body');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ApiError(400, 'JSON request body must be an object');
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (value !== null) params[name] = scalar(name, value);
    }
    return params;
  }
  return Object.fromEntries(new URLSearchParams(text));
}
