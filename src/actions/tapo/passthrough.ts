/**
 * securePassthrough, the transport of older Tapo firmware (PROTOCOLS.md §3.2):
 * an RSA-wrapped AES key, then every request wrapped in AES-128-CBC. Node 20
 * refuses PKCS#1 v1.5 private decryption (CVE-2023-46809), so the padding is
 * removed by hand after a raw decryption.
 */
import { constants, createCipheriv, createDecipheriv, createHash, generateKeyPairSync, privateDecrypt, type KeyObject } from 'node:crypto';

export class PassthroughKeys {
  readonly publicPem: string;
  private readonly privateKey: KeyObject;

  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    this.publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.privateKey = privateKey;
  }

  /** The device's base64 answer → the session's AES key and IV. */
  unwrap(encrypted: string): { key: Buffer; iv: Buffer } {
    const raw = privateDecrypt({ key: this.privateKey, padding: constants.RSA_NO_PADDING }, Buffer.from(encrypted, 'base64'));
    // 00 02 <non-zero padding> 00 <payload>
    if (raw[0] !== 0 || raw[1] !== 2) throw new Error('bad PKCS#1 padding');
    const separator = raw.indexOf(0, 2);
    if (separator < 0) throw new Error('bad PKCS#1 padding');
    const payload = raw.subarray(separator + 1);
    if (payload.length !== 32) throw new Error('unexpected session key length');
    return { key: payload.subarray(0, 16), iv: payload.subarray(16, 32) };
  }
}

export function passthroughEncrypt(key: Buffer, iv: Buffer, json: string): string {
  const cipher = createCipheriv('aes-128-cbc', key, iv);
  return Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]).toString('base64');
}

export function passthroughDecrypt(key: Buffer, iv: Buffer, base64: string): string {
  const decipher = createDecipheriv('aes-128-cbc', key, iv);
  return Buffer.concat([decipher.update(Buffer.from(base64, 'base64')), decipher.final()]).toString('utf8');
}

export function loginParams(email: string, password: string): { username: string; password: string } {
  const sha1Hex = createHash('sha1').update(email, 'utf8').digest('hex');
  return { username: Buffer.from(sha1Hex).toString('base64'), password: Buffer.from(password, 'utf8').toString('base64') };
}
