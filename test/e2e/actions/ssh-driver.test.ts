import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { HostKeyError, TargetAuthError, TargetUnreachableError } from '../../../src/errors';
import { fetchHostKey, SshDriver } from '../../../src/actions/ssh';
import { sshFingerprint } from '../../../src/actions/ssh-host-key';
import type { SshTarget } from '../../../src/policy/spec';
import { freePort } from '../../helpers/upsd';
import { startRealSshd, type RealSshd } from '../../helpers/sshd';

const context = (timeoutMs = 10_000) => ({ timeoutMs, signal: new AbortController().signal, force: false });

describe('ssh driver against a real OpenSSH sshd', function () {
  this.timeout(60_000);
  let sshd: RealSshd;

  beforeEach(async () => {
    sshd = await startRealSshd();
  });
  afterEach(() => sshd.stop());

  const driver = (overrides: Partial<SshTarget> = {}, key = (): string => sshd.clientKey, trusted?: string): SshDriver => new SshDriver('box', {
    type: 'ssh', host: sshd.host, port: sshd.port, user: 'root', key: { secretRef: 'box-key' },
    host_key_fingerprint: sshd.hostFingerprint, command: sshd.shutdownCommand, ...overrides,
  }, { secret: () => Promise.resolve(key()), trustedFingerprint: () => Promise.resolve(trusted) });

  it('shuts down: the command runs once, and it is verified when the SSH port goes dark', async () => {
    const box = driver();
    assert.deepEqual(await box.probe(context()), { reachable: true, authenticated: true, state: 'on', detail: `ssh box (root@127.0.0.1:${sshd.port}): logged in` });
    const result = await box.act('shutdown', context());
    assert.match(result.detail, /shutdown started/);
    assert.equal(await box.verify('shutdown', context()), true);
    assert.deepEqual(sshd.calls(), ['shutdown']);
  });

  it('the connection dropping after the command was sent counts as started', async () => {
    const box = driver({ command: `echo dropped >> ${sshd.dir}/calls; kill -9 $PPID` });
    assert.equal((await box.act('shutdown', context())).detail, 'shutdown started (the connection dropped after the command was sent)');
  });

  it('a host key that is not the pinned one is refused and nothing is sent', async () => {
    const box = driver({ host_key_fingerprint: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU' });
    await assert.rejects(box.act('shutdown', context()), (error: unknown) =>
      error instanceof HostKeyError && error.message.includes(`host key ${sshd.hostFingerprint} is not the trusted SHA256:47DEQ`) && /walnut targets trust box/.test(error.message));
    assert.deepEqual(sshd.calls(), []);
  });

  it('without a pinned or trusted key nothing connects; `trust` reads the key the server shows', async () => {
    await assert.rejects(driver({ host_key_fingerprint: undefined }).probe(context()), HostKeyError);
    assert.equal(sshFingerprint(await fetchHostKey(sshd.host, sshd.port, 5000)), sshd.hostFingerprint);
    const trusted = driver({ host_key_fingerprint: undefined }, () => sshd.clientKey, sshd.hostFingerprint);
    assert.equal((await trusted.probe(context())).authenticated, true);
  });

  it('a key that is not authorized is a typed authentication error naming the secret, not the key', async () => {
    const box = driver({}, () => sshd.strangerKey);
    await assert.rejects(box.act('shutdown', context()), (error: unknown) =>
      error instanceof TargetAuthError && /secret "box-key" was not accepted/.test(error.message) && !error.message.includes('PRIVATE KEY'));
    assert.equal((await box.probe(context())).authenticated, false);
    assert.deepEqual(sshd.calls(), []);
  });

  it('a host that does not answer is a typed unreachable error: refused at once, silent after the timeout', async () => {
    const closed = await freePort();
    await assert.rejects(driver({ port: closed }).act('shutdown', context()), (error: unknown) => error instanceof TargetUnreachableError && /ECONNREFUSED/.test(error.message) && error.transient);
    // A server that accepts and then says nothing: the handshake times out.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      await assert.rejects(driver({ port: (silent.address() as net.AddressInfo).port }).act('shutdown', context(1500)), TargetUnreachableError);
      assert.ok(Date.now() - started < 5000);
    } finally {
      silent.close();
    }
  });

  it('verify says false while the host still answers', async () => {
    assert.equal(await driver().verify('shutdown', context(1200)), false);
  });
});
