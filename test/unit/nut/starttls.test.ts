import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { NutConnectionError } from '../../../src/errors';
import { NutClient } from '../../../src/nut/client';
import { tempDir } from '../../helpers/temp';

/**
 * STARTTLS needs a upsd with a certificate (Debian's is built with NSS); this
 * stand-in speaks just enough of the protocol: OK STARTTLS, then TLS, then VER.
 */
function tlsUpsd(key: string, cert: string): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((plain) => {
    plain.once('data', (chunk) => {
      assert.equal(chunk.toString(), 'STARTTLS\n');
      plain.write('OK STARTTLS\n');
      const secure = new tls.TLSSocket(plain, { isServer: true, key, cert });
      secure.on('error', () => undefined);
      secure.on('data', (request: Buffer) => {
        if (request.toString() === 'VER\n') secure.write('Network UPS Tools upsd 2.8.0 - over TLS\n');
      });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as net.AddressInfo).port })));
}

describe('NUT client STARTTLS', () => {
  let key: string;
  let cert: string;

  before(() => {
    const dir = tempDir();
    const result = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')]);
    assert.equal(result.status, 0, result.stderr.toString());
    key = fs.readFileSync(path.join(dir, 'key.pem'), 'utf8');
    cert = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  });

  it('upgrades the connection and carries on over TLS, verifying the certificate', async () => {
    const { server, port } = await tlsUpsd(key, cert);
    const client = await NutClient.connect({ host: '127.0.0.1', port });
    try {
      await client.startTls({ ca: cert, servername: 'localhost' });
      assert.equal(await client.ver(), 'Network UPS Tools upsd 2.8.0 - over TLS');
    } finally {
      client.close();
      server.close();
    }
  });

  it('refuses a certificate it cannot verify', async () => {
    const { server, port } = await tlsUpsd(key, cert);
    const client = await NutClient.connect({ host: '127.0.0.1', port });
    try {
      await assert.rejects(client.startTls({ servername: 'localhost' }), (e: unknown) => e instanceof NutConnectionError && /TLS with upsd/.test(e.message));
    } finally {
      client.close();
      server.close();
    }
  });
});
