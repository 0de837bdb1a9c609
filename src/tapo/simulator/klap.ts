import * as crypto from 'node:crypto';

/** The KLAP derivations of PROTOCOLS.md §3.1, on node:crypto only. */

function sha(algorithm: 'sha1' | 'sha256', ...parts: Buffer[]): Buffer {
  const hash = crypto.createHash(algorithm);
  for (const part of parts) hash.update(part);
  return hash.digest();
}

export interface KlapSessionKeys {
  key: Buffer;
  iv12: Buffer;
  seq0: number;
  sig: Buffer;
}

/** SHA256(SHA1(email) ‖ SHA1(password)), raw digests; both are case-sensitive. */
export function klapAuthHash(email: string, password: string): Buffer {
  return sha('sha256', sha('sha1', Buffer.from(email, 'utf8')), sha('sha1', Buffer.from(password, 'utf8')));
}

/** The session's AES key, IV prefix, first sequence number and signing prefix. */
export function klapSessionKeys(localSeed: Buffer, remoteSeed: Buffer, authHash: Buffer): KlapSessionKeys {
  const l = Buffer.concat([localSeed, remoteSeed, authHash]);
  const ivHash = sha('sha256', Buffer.from('iv'), l);
  return {
    key: sha('sha256', Buffer.from('lsk'), l).subarray(0, 16),
    iv12: ivHash.subarray(0, 12),
    seq0: ivHash.readInt32BE(28),
    sig: sha('sha256', Buffer.from('ldk'), l).subarray(0, 28),
  };
}

/** What the device proves in handshake 1: it knows the same credentials. */
export function handshake1Hash(localSeed: Buffer, remoteSeed: Buffer, authHash: Buffer): Buffer {
  return sha('sha256', localSeed, remoteSeed, authHash);
}

/** What the client proves in handshake 2: the seeds in the other order. */
export function handshake2Hash(localSeed: Buffer, remoteSeed: Buffer, authHash: Buffer): Buffer {
  return sha('sha256', remoteSeed, localSeed, authHash);
}

function int32be(seq: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(seq);
  return bytes;
}

function signature(keys: KlapSessionKeys, seq: number, ciphertext: Buffer): Buffer {
  return sha('sha256', keys.sig, int32be(seq), ciphertext);
}

/** SHA256(sig ‖ int32be(seq) ‖ ct) ‖ ct, with ct = AES-128-CBC(key, iv12 ‖ int32be(seq), PKCS7(plaintext)). */
export function klapEncrypt(keys: KlapSessionKeys, seq: number, plaintext: Buffer): Buffer {
  const cipher = crypto.createCipheriv('aes-128-cbc', keys.key, Buffer.concat([keys.iv12, int32be(seq)]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([signature(keys, seq, ciphertext), ciphertext]);
}

/** The ciphertext of a signed body, or undefined when the signature does not match. */
export function klapVerify(keys: KlapSessionKeys, seq: number, body: Buffer): Buffer | undefined {
  if (body.length < 32 + 16 || (body.length - 32) % 16 !== 0) return undefined;
  const ciphertext = body.subarray(32);
  return crypto.timingSafeEqual(body.subarray(0, 32), signature(keys, seq, ciphertext)) ? ciphertext : undefined;
}

/** Throws when the padding is wrong (a client with the wrong key). */
export function klapDecrypt(keys: KlapSessionKeys, seq: number, ciphertext: Buffer): Buffer {
  const decipher = crypto.createDecipheriv('aes-128-cbc', keys.key, Buffer.concat([keys.iv12, int32be(seq)]));
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

/** True when seq comes after last in int32 order, so the wrap from 2^31-1 to -2^31 counts as forward. */
export function seqAfter(seq: number, last: number): boolean {
  return ((seq - last) | 0) > 0;
}
