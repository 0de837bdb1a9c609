import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { WrongKeyError } from '../errors';
import { CIPHER, hasPlaintextHeader, openEncrypted } from './cipher';

export interface SelfTestStep {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * `walnut-db test-encryption`: a throwaway database proves that this build
 * encrypts (header), authenticates (a wrong key fails) and reads back (right key).
 */
export function runEncryptionSelfTest(): { ok: boolean; cipher: string; steps: SelfTestStep[] } {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'walnut-enc-'));
  const dbPath = path.join(folder, 'selftest.db');
  const key = { key: randomBytes(32).toString('base64url'), source: 'a random test key' };
  const marker = randomBytes(16).toString('hex');
  const steps: SelfTestStep[] = [];
  try {
    const db = openEncrypted(dbPath, key);
    db.exec('CREATE TABLE probe (value TEXT)');
    db.prepare('INSERT INTO probe VALUES (?)').run(marker);
    db.close();

    const plaintext = hasPlaintextHeader(dbPath);
    const raw = fs.readFileSync(dbPath);
    const leaked = raw.includes(Buffer.from(marker));
    steps.push({ name: 'header', ok: !plaintext, detail: plaintext ? 'header is plaintext "SQLite format 3"' : `first 16 bytes ${raw.subarray(0, 16).toString('hex')}` });
    steps.push({ name: 'no plaintext', ok: !leaked, detail: leaked ? 'the written value appears in the file in clear' : 'the written value is not in the file in clear' });

    let wrongKeyRefused = false;
    try {
      openEncrypted(dbPath, { key: randomBytes(32).toString('base64url'), source: 'a wrong test key' }).close();
    } catch (error) {
      wrongKeyRefused = error instanceof WrongKeyError;
    }
    steps.push({ name: 'wrong key', ok: wrongKeyRefused, detail: wrongKeyRefused ? 'refused' : 'a wrong key opened the file' });

    const reopened = openEncrypted(dbPath, key, { readonly: true });
    const value = (reopened.prepare('SELECT value FROM probe').get() as { value: string } | undefined)?.value;
    reopened.close();
    steps.push({ name: 'right key', ok: value === marker, detail: value === marker ? 'read the value back' : 'value differs after reopening' });
    return { ok: steps.every((step) => step.ok), cipher: CIPHER.description, steps };
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}
