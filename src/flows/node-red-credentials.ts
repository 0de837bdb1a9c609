/**
 * Node-RED's encrypted credentials format (`{"$": hex IV + base64 AES-256-CTR
 * of the JSON}`, keyed by sha256 of the credential secret), so credentials the
 * hub seeds are stored exactly as a deploy from the editor would store them.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const keyOf = (credentialSecret: string): Buffer => createHash('sha256').update(credentialSecret).digest();

export function encryptNodeRedCredentials(credentialSecret: string, credentials: Record<string, Record<string, string>>): { $: string } {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-ctr', keyOf(credentialSecret), iv);
  return { $: iv.toString('hex') + cipher.update(JSON.stringify(credentials), 'utf8', 'base64') + cipher.final('base64') };
}

export function decryptNodeRedCredentials(credentialSecret: string, sealed: { $: string }): Record<string, Record<string, string>> {
  const decipher = createDecipheriv('aes-256-ctr', keyOf(credentialSecret), Buffer.from(sealed.$.slice(0, 32), 'hex'));
  return JSON.parse(decipher.update(sealed.$.slice(32), 'base64', 'utf8') + decipher.final('utf8')) as Record<string, Record<string, string>>;
}
