/**
 * KLAP, the transport of current Tapo firmware (PROTOCOLS.md §3.1): two
 * handshakes prove both sides know SHA256(SHA1(email) ‖ SHA1(password)),
 * then each request is AES-128-CBC with a sequence-numbered IV and a signature.
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';

const sha = (algorithm: 'sha1' | 'sha256', ...parts: Buffer[]): Buffer => {
  const hash = createHash(algorithm);
  for (const part of parts) hash.update(part);
  return hash.digest();
};

export function authHash(email: string, password: string): Buffer {
  return sha('sha256', sha('sha1', Buffer.from(email, 'utf8')), sha('sha1', Buffer.from(password, 'utf8')));
}

/** What handshake1's reply must carry after the remote seed, and what handshake2 sends. */
export function handshakeHashes(localSeed: Buffer, remoteSeed: Buffer, auth: Buffer): { server: Buffer; client: Buffer } {
  return { server: sha('sha256', localSeed, remoteSeed, auth), client: sha('sha256', remoteSeed, localSeed, auth) };
}

const int32be = (value: number): Buffer => {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
};

export class KlapCipher {
  readonly key: Buffer;
  readonly iv12: Buffer;
  readonly sig: Buffer;
  seq: number;

  constructor(localSeed: Buffer, remoteSeed: Buffer, auth: Buffer) {
    const material = Buffer.concat([localSeed, remoteSeed, auth]);
    this.key = sha('sha256', Buffer.from('lsk'), material).subarray(0, 16);
    const iv = sha('sha256', Buffer.from('iv'), material);
    this.iv12 = iv.subarray(0, 12);
    this.seq = iv.readInt32BE(28);
    this.sig = sha('sha256', Buffer.from('ldk'), material).subarray(0, 28);
  }

  /** The next request body and its sequence number. */
  encrypt(json: string): { seq: number; body: Buffer } {
    this.seq = (this.seq + 1) | 0; // int32 wrap, as the device counts
    const cipher = createCipheriv('aes-128-cbc', this.key, Buffer.concat([this.iv12, int32be(this.seq)]));
    const ct = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
    return { seq: this.seq, body: Buffer.concat([sha('sha256', this.sig, int32be(this.seq), ct), ct]) };
  }

  decrypt(seq: number, body: Buffer): string {
    const decipher = createDecipheriv('aes-128-cbc', this.key, Buffer.concat([this.iv12, int32be(seq)]));
    return Buffer.concat([decipher.update(body.subarray(32)), decipher.final()]).toString('utf8');
  }
}
