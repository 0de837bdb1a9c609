/**
 * Reading an archive: the header (checked against its HMAC once the data key
 * is unwrapped), then any section on its own: its bytes against their sha256,
 * decrypted (the GCM tag checked at its end), inflated no further than the
 * size the header declares (a decompression bomb stops there), split into
 * rows. Every failure names the section.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ArchiveFormatError, ArchiveKeyError, ArchiveTamperedError, DataKeyError } from '../errors';
import { deriveKey } from '../store/aead';
import { unwrapDataKey, type WrappedDataKey } from '../store/data-key';
import { archiveKeys, assertHeaderMac, decodeHeader, MAGIC, sectionAad, type ArchiveHeader, type ArchiveKeys, type SectionEntry } from './format';
import { decodeLine, PAGE_ROWS, type Page } from './table-rows';
import { archivedTable } from './tables';

/** How to unwrap the archive's data key: a passphrase, or the master key of a store (through the store). */
export interface KeySource {
  passphrase?: string;
  masterKey?: (wrapped: WrappedDataKey) => Buffer;
}



export class ArchiveReader {
  private constructor(
    readonly file: string,
    readonly header: ArchiveHeader,
    /** The data key of the store the archive came from. */
    readonly dataKey: Buffer,
    private readonly keys: ArchiveKeys,
    private readonly bodyStart: number,
  ) {}

  static async open(file: string, source: KeySource): Promise<ArchiveReader> {
    const handle = await fs.promises.open(file, 'r').catch((error: NodeJS.ErrnoException) => {
      throw new ArchiveFormatError(`cannot read ${file}: ${error.code ?? error.message}`);
    });
    let parsed;
    let size: number;
    try {
      size = (await handle.stat()).size;
      const prefix = Buffer.alloc(MAGIC.length + 4);
      await handle.read(prefix, 0, prefix.length, 0);
      const length = prefix.subarray(0, MAGIC.length).equals(MAGIC) ? prefix.readUInt32BE(MAGIC.length) : 0;
      const start = Buffer.alloc(Math.min(size, prefix.length + Math.min(length, 2 * 1024 * 1024)));
      await handle.read(start, 0, start.length, 0);
      parsed = decodeHeader(start, file);
    } finally {
      await handle.close();
    }
    const { header } = parsed;
    const dataKey = unwrapArchiveKey(header, source, file);
    const keys = archiveKeys(deriveKey(dataKey, 'walnut/archive/v1'), header.id);
    assertHeaderMac(parsed, keys.header, file);
    checkSections(header.sections, size - parsed.size, file);
    return new ArchiveReader(file, header, dataKey, keys, parsed.size);
  }

  section(name: string): SectionEntry | undefined {
    return this.header.sections.find((section) => section.name === name);
  }

  /** Checks every section: checksum, GCM tag, declared size. */
  async verify(onSection?: (section: SectionEntry) => void): Promise<void> {
    for (const section of this.header.sections) {
      for await (const page of this.pages(section)) void page;
      onSection?.(section);
    }
  }

  /** The rows of one section, a page at a time; the checks that need the whole section throw at its end. */
  async *pages(section: SectionEntry): AsyncGenerator<Page> {
    const where = `${this.file}: section "${section.name}"`;
    const hash = createHash('sha256');
    const decipher = createDecipheriv('aes-256-gcm', this.keys.sections, Buffer.from(section.nonce, 'base64'));
    decipher.setAAD(sectionAad(this.header.id, section.name));
    decipher.setAuthTag(Buffer.from(section.tag, 'base64'));
    // A gzip stream is never empty, so every section has at least one byte.
    const raw = fs.createReadStream(this.file, { start: this.bodyStart + section.offset, end: this.bodyStart + section.offset + section.length - 1 });
    const rows: unknown[][] = [];
    const page = (): Page => ({ columns: section.columns, rows: rows.splice(0) });
    let carry = '';
    let inflated = 0;
    let failure: Error | undefined;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done: TransformCallback) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const bounded = new Transform({
      transform(chunk: Buffer, _encoding, done: TransformCallback) {
        inflated += chunk.length;
        if (inflated > section.plainBytes) return done(new ArchiveTamperedError(section.name, `${where} inflates beyond the ${section.plainBytes} bytes its header declares (stopped there)`));
        done(null, chunk);
      },
    });
    // pipeline wires errors and teardown; reading its last stream here keeps backpressure (memory stays flat).
    const gunzip = createGunzip();
    const done = pipeline(raw, hashing, decipher, gunzip, bounded).catch((error: unknown) => {
      failure ??= error as Error;
    });
    try {
      for await (const chunk of bounded) {
        const lines = (carry + (chunk as Buffer).toString('utf8')).split('\n');
        carry = lines.pop() ?? '';
        for (const line of lines) rows.push(decodeLine(line));
        if (rows.length >= PAGE_ROWS) yield page();
      }
    } catch (error) {
      failure ??= error as Error;
    } finally {
      raw.destroy();
    }
    await done;
    if (failure) throw toArchiveError(failure, section, where);
    if (hash.digest('hex') !== section.sha256) throw new ArchiveTamperedError(section.name, `${where} does not match its sha256: the archive is damaged or was changed`);
    if (carry.length > 0) rows.push(decodeLine(carry));
    if (rows.length > 0) yield page();
  }
}

function toArchiveError(error: Error, section: SectionEntry, where: string): Error {
  if (error instanceof ArchiveTamperedError) return error;
  if (/unable to authenticate|auth/i.test(error.message)) return new ArchiveTamperedError(section.name, `${where} fails its GCM authentication: the archive is damaged or was changed`);
  return new ArchiveTamperedError(section.name, `${where} cannot be read (${error.message}): the archive is damaged or was changed`);
}

function unwrapArchiveKey(header: ArchiveHeader, source: KeySource, file: string): Buffer {
  try {
    if (header.key.wrappedBy === 'passphrase') {
      if (source.passphrase === undefined) throw new ArchiveKeyError(`${file} is protected by a passphrase: give it with --passphrase-file FILE`);
      return unwrapDataKey(header.key, source.passphrase);
    }
    if (source.passphrase !== undefined && source.masterKey === undefined) return unwrapDataKey(header.key, source.passphrase);
    if (!source.masterKey) throw new ArchiveKeyError(`${file} is protected by its hub's master key: open it with that key`);
    return source.masterKey(header.key);
  } catch (error) {
    if (error instanceof DataKeyError) {
      throw new ArchiveKeyError(header.key.wrappedBy === 'passphrase'
        ? `${file}: wrong passphrase (or the header was changed)`
        : `${file} was made by a hub with another master key: restore it with that key, or make the archive with --passphrase-file`);
    }
    throw error;
  }
}

/** Only known tables, inside the file, in order, not overlapping: a crafted header cannot point elsewhere. */
function checkSections(sections: readonly SectionEntry[], bodyBytes: number, file: string): void {
  let end = 0;
  for (const section of sections) {
    if (typeof section.name !== 'string' || !archivedTable(section.name)) {
      throw new ArchiveFormatError(`${file}: section "${String(section.name)}" is not a table walNUT archives`);
    }
    if (!Number.isSafeInteger(section.offset) || !Number.isSafeInteger(section.length) || section.offset < end || section.length < 0 || section.offset + section.length > bodyBytes) {
      throw new ArchiveTamperedError(section.name, `${file}: section "${section.name}" lies outside the file: the archive is truncated or was changed`);
    }
    end = section.offset + section.length;
  }
}
