import { createHash } from 'node:crypto';

/** OpenSSH's fingerprint of a raw public-key blob: `SHA256:` + unpadded base64, as `ssh-keygen -lf` prints it. */
export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type written at the start of the blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`…). */
export function sshKeyAlgorithm(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return length > 0 && length < 64 && blob.length >= 4 + length ? blob.subarray(4, 4 + length).toString('latin1') : 'unknown';
}

/** Fingerprints compare without their optional trailing `=`. */
export function sameFingerprint(a: string, b: string): boolean {
  return a.replace(/=+$/, '') === b.replace(/=+$/, '');
}
