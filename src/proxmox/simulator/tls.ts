import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TlsMaterial {
  /** PEM private key. */
  key: string;
  /** PEM certificate. */
  cert: string;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 30_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${command} failed: ${stderr.trim() || error.message}`));
      else resolve();
    });
  });
}

/**
 * A throw-away self-signed P-256 certificate for 127.0.0.1/localhost, made by the
 * openssl CLI (Node has no certificate builder). Like a fresh PVE node's
 * pve-ssl.pem, nothing trusts it: clients must pin its fingerprint.
 */
export async function generateCertificate(commonName = 'pve-sim'): Promise<TlsMaterial> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'walnut-pve-sim-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', `/CN=${commonName}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout', keyFile, '-out', certFile,
    ]);
    return { key: await fs.readFile(keyFile, 'utf8'), cert: await fs.readFile(certFile, 'utf8') };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** SHA-256 fingerprint as PVE and Node print it: upper-case hex pairs joined by colons. */
export function fingerprint256(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}
