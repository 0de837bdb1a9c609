/**
 * The archive file (docs/archive-format.md):
 *
 *   "WNUTARC1" | uint32 BE header length | header JSON | section 1 | section 2 | …
 *
 * The header says everything about the sections (offset, length, sha256 of
 * their bytes, rows, declared plaintext size, nonce and GCM tag) and carries
 * the data key wrapped by the master key or a passphrase; an HMAC over it
 * (keyed from the data key) makes any change to it detectable. Each section is
 * one table as JSON lines, gzip-compressed, then AES-256-GCM-encrypted with the
 * archive id and table name as associated data.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { ArchiveFormatError, ArchiveTamperedError } from '../errors';
import type { WrappedDataKey } from '../store/data-key';

export const MAGIC = Buffer.from('WNUTARC1', 'ascii');
export const FORMAT_VERSION = 1;
/** A header is a few kilobytes; a bigger one is not ours. */
export const MAX_HEADER_BYTES = 1024 * 1024;

export interface SectionEntry {
  name: string;
  rows: number;
  columns: string[];
  /** Relative to the first byte after the header. */
  offset: number;
  length: number;
  /** sha256 of the section's bytes as stored (hex). */
  sha256: string;
  /** Size of the JSON lines before compression: a restore stops a section that inflates beyond it. */
  plainBytes: number;
  nonce: string;
  tag: string;
}

export interface ArchiveHeader {
  format: number;
  id: string;
  createdAt: number;
  hubVersion: string;
  site: string;
  /** Every migration applied to the store it came from, oldest first; the last is its schema version. */
  migrations: string[];
  type: 'full' | 'incremental';
  /** Incremental archives: the archive they build on and the time rows are taken from. */
  base?: { id: string; createdAt: number };
  since?: number;
  compression: 'gzip';
  cipher: 'aes-256-gcm';
  checksum: 'sha256';
  key: WrappedDataKey & { wrappedBy: 'master-key' | 'passphrase' };
  sections: SectionEntry[];
}

export interface ArchiveKeys {
  sections: Buffer;
  header: Buffer;
}

/** Two keys from the archive key (itself derived from the data key): one encrypts, one authenticates the header. */
export function archiveKeys(archiveKey: Buffer, archiveId: string): ArchiveKeys {
  const derive = (purpose: string): Buffer => Buffer.from(hkdfSync('sha256', archiveKey, Buffer.from(archiveId, 'utf8'), purpose, 32));
  return { sections: derive('walnut archive sections'), header: derive('walnut archive header') };
}

export const sectionAad = (archiveId: string, table: string): Buffer => Buffer.from(`walnut archive ${archiveId} ${table}`, 'utf8');

function headerMac(key: Buffer, headerJson: Buffer): Buffer {
  return createHmac('sha256', key).update(headerJson).digest();
}

/** magic | length | header JSON | 32-byte HMAC of the JSON. */
export function encodeHeader(header: ArchiveHeader, macKey: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length + 32);
  return Buffer.concat([MAGIC, length, json, headerMac(macKey, json)]);
}

export interface ParsedHeader {
  header: ArchiveHeader;
  /** Bytes before the first section. */
  size: number;
  json: Buffer;
  mac: Buffer;
}

/** Parses the header from the file's first bytes; its MAC is checked later, once the key is unwrapped. */
export function decodeHeader(start: Buffer, file: string): ParsedHeader {
  if (start.length < MAGIC.length + 4 || !start.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ArchiveFormatError(`${file} is not a walNUT archive (it does not start with ${MAGIC.toString('ascii')})`);
  }
  const length = start.readUInt32BE(MAGIC.length);
  if (length <= 32 || length > MAX_HEADER_BYTES) throw new ArchiveFormatError(`${file}: the header length ${length} is not plausible`);
  const end = MAGIC.length + 4 + length;
  if (start.length < end) throw new ArchiveFormatError(`${file} is truncated inside its header`);
  const json = start.subarray(MAGIC.length + 4, end - 32);
  let header: ArchiveHeader;
  try {
    header = JSON.parse(json.toString('utf8')) as ArchiveHeader;
  } catch {
    throw new ArchiveTamperedError('header', `${file}: the header is not valid JSON: the archive is damaged or was tampered with`);
  }
  if (header.format !== FORMAT_VERSION) {
    throw new ArchiveFormatError(`${file} is archive format ${String(header.format)}; this walNUT reads format ${FORMAT_VERSION}`);
  }
  return { header, size: end, json, mac: start.subarray(end - 32, end) };
}

export function assertHeaderMac(parsed: ParsedHeader, macKey: Buffer, file: string): void {
  const expected = headerMac(macKey, parsed.json);
  if (!timingSafeEqual(expected, parsed.mac)) {
    throw new ArchiveTamperedError('header', `${file}: the header's checksum does not match: the archive was changed after it was written`);
  }
}
