import { createHash, randomBytes } from 'node:crypto';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export interface DigestChallenge {
  realm: string;
  nonce: string;
  stale: boolean;
}

/**
 * RFC 7616 SHA-256 digest as Shelly Gen2+ devices want it (user always
 * `admin`). The nonce counter starts at 1 per nonce and only goes up.
 */
export class DigestSession {
  private nc = 0;

  constructor(private readonly password: string, private challenge: DigestChallenge) {}

  renew(challenge: DigestChallenge): void {
    this.challenge = challenge;
    this.nc = 0;
  }

  header(method: string, uri: string): string {
    this.nc += 1;
    const nc = this.nc.toString(16).padStart(8, '0');
    const cnonce = randomBytes(8).toString('hex');
    const { realm, nonce } = this.challenge;
    const ha1 = sha256(`admin:${realm}:${this.password}`);
    const ha2 = sha256(`${method}:${uri}`);
    const response = sha256(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
    return `Digest username="admin", realm="${realm}", nonce="${nonce}", uri="${uri}", algorithm=SHA-256, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}"`;
  }
}
