import * as crypto from 'node:crypto';

/** The securePassthrough crypto of PROTOCOLS.md §3.2, device side. */

export interface PassthroughKeys {
  key: Buffer;
  iv: Buffer;
}

/** The client's PEM public key, or undefined when it is not the 1024-bit RSA key the device expects. */
export function parseClientKey(pem: unknown): crypto.KeyObject | undefined {
  if (typeof pem !== 'string') return undefined;
  try {
    const key = crypto.createPublicKey({ key: pem, format: 'pem' });
    if (key.asymmetricKeyType !== 'rsa' || key.asymmetricKeyDetails?.modulusLength !== 1024) return undefined;
    return key;
  } catch {
    return undefined;
  }
}

/** base64(RSA-PKCS#1 v1.5(key ‖ iv)); encrypting with that padding is still allowed on Node 20. */
export function wrapSessionKeys(clientKey: crypto.KeyObject, keys: PassthroughKeys): string {
  const wrapped = crypto.publicEncrypt({ key: clientKey, padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.concat([keys.key, keys.iv]));
  return wrapped.toString('base64');
}

export function newPassthroughKeys(): PassthroughKeys {
  return { key: crypto.randomBytes(16), iv: crypto.randomBytes(16) };
}

/** base64 of AES-128-CBC with PKCS7; the IV stays fixed for the session. */
export function passthroughEncrypt(keys: PassthroughKeys, plaintext: Buffer): string {
  const cipher = crypto.createCipheriv('aes-128-cbc', keys.key, keys.iv);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]).toString('base64');
}

/** Throws when the text does not decrypt under the session's key. */
export function passthroughDecrypt(keys: PassthroughKeys, base64: string): Buffer {
  const decipher = crypto.createDecipheriv('aes-128-cbc', keys.key, keys.iv);
  return Buffer.concat([decipher.update(Buffer.from(base64, 'base64')), decipher.final()]);
}

function sha1Hex(text: string): string {
  return crypto.createHash('sha1').update(text, 'utf8').digest('hex');
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** login_device's username: base64(hex(SHA1(email))). */
export function loginUsername(email: string): string {
  return base64(sha1Hex(email));
}

/** login v1 password: base64(password). */
export function loginPassword(password: string): string {
  return base64(password);
}

/** login v2 password2: base64(hex(SHA1(password))). */
export function loginPassword2(password: string): string {
  return base64(sha1Hex(password));
}
