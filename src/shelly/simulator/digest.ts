import { createHash, timingSafeEqual } from 'node:crypto';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** HA2 of the in-body form (POST /rpc `auth`): fixed, since the body has no method or uri of its own. */
export const BODY_FORM_HA2_INPUT = 'dummy_method:dummy_uri';

export interface DigestInputs {
  realm: string;
  password: string;
  nonce: string;
  nc: string;
  cnonce: string;
  /** What HA2 hashes: "METHOD:uri", or BODY_FORM_HA2_INPUT. */
  ha2Input: string;
}

/** response = SHA256(HA1:nonce:nc:cnonce:auth:HA2), HA1 = SHA256("admin:" realm ":" password). */
export function digestResponse(inputs: DigestInputs): string {
  const ha1 = sha256Hex(`admin:${inputs.realm}:${inputs.password}`);
  const ha2 = sha256Hex(inputs.ha2Input);
  return sha256Hex(`${ha1}:${inputs.nonce}:${inputs.nc}:${inputs.cnonce}:auth:${ha2}`);
}

/** Compares hex digests without leaking where they differ. */
export function sameDigest(expected: string, presented: string): boolean {
  const a = Buffer.from(expected.toLowerCase(), 'utf8');
  const b = Buffer.from(presented.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Splits on commas that are not inside a quoted value. */
function splitFields(text: string): string[] {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      fields.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  fields.push(current);
  return fields;
}

/**
 * The fields of an `Authorization: Digest …` header, keys lower-cased, or
 * undefined for another scheme. Each field splits on its FIRST '=' only:
 * firmware 2.0 nonces are base64 and may end in '='.
 */
export function parseDigestHeader(header: string | undefined): Map<string, string> | undefined {
  const match = header === undefined ? null : /^\s*Digest\s+(.*)$/is.exec(header);
  if (!match) return undefined;
  const fields = new Map<string, string>();
  for (const part of splitFields(match[1] ?? '')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    fields.set(key, value);
  }
  return fields;
}
