import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ProxmoxDriver } from '../../../src/actions/proxmox/driver';
import { ActionFailedError, HostKeyError, TargetAuthError } from '../../../src/errors';
import type { ProxmoxTarget } from '../../../src/policy/spec';
import { ProxmoxSimulator } from '../../../src/proxmox/simulator';
import { tempDir } from '../../helpers/temp';

const TOKEN_ID = 'walnut@pve!shutdown';
const SECRET = '6f1c2a9e-0000-4000-8000-000000000001';
const context = (timeoutMs = 10_000, force = false) => ({ timeoutMs, signal: new AbortController().signal, force });

describe('proxmox driver against the Proxmox simulator (real HTTPS)', function () {
  this.timeout(60_000);
  let simulator: ProxmoxSimulator;
  let url: string;
  let fingerprint: string;
  let certPem: string;

  beforeEach(async () => {
    simulator = new ProxmoxSimulator({ taskMs: 100, authFailureDelayMs: 0 });
    simulator.addNode('pve');
    simulator.addToken(TOKEN_ID, SECRET);
    simulator.addToken('auditor@pve!ro', 'ro-secret', { privileges: 'audit-only' });
    simulator.addGuest({ vmid: 100, type: 'qemu', node: 'pve', name: 'walnut', status: 'running' });
    simulator.addGuest({ vmid: 101, type: 'qemu', node: 'pve', name: 'web', status: 'running', tags: ['lab'] });
    simulator.addGuest({ vmid: 200, type: 'lxc', node: 'pve', name: 'dns', status: 'running', tags: ['lab'] });
    simulator.addGuest({ vmid: 102, type: 'qemu', node: 'pve', name: 'ha-db', status: 'running', ha: true, shutdownTakesMs: 300 });
    simulator.addGuest({ vmid: 103, type: 'qemu', node: 'pve', name: 'paused', status: 'running', paused: true });
    simulator.addGuest({ vmid: 104, type: 'qemu', node: 'pve', name: 'stubborn', status: 'running', behaviour: 'ignore' });
    ({ url, fingerprint256: fingerprint, certPem } = await simulator.start({ host: '127.0.0.1', port: 0 }));
  });
  afterEach(() => simulator.stop());

  const driver = (spec: Partial<ProxmoxTarget>, token = `${TOKEN_ID}=${SECRET}`) => new ProxmoxDriver('pve', {
    type: 'proxmox', url, token: { secretRef: 'pve-token' }, node: 'pve', tls_fingerprint: fingerprint, ...spec,
  }, () => Promise.resolve(token), 50);

  it('probe, then a graceful shutdown of the guests tagged lab, followed by UPID, verified', async () => {
    const pve = driver({ guests: { tags: ['lab'] } });
    const probe = await pve.probe(context());
    assert.deepEqual([probe.reachable, probe.state], [true, 'on']);
    assert.match(probe.detail, /node online, 2 of 2 selected guests running/);
    assert.equal((await pve.act('shutdown', context())).detail, 'shutdown: 101, 200');
    assert.equal(await pve.verify('shutdown', context()), true);
    assert.deepEqual([simulator.guest(101).status, simulator.guest(200).status, simulator.guest(100).status], ['stopped', 'stopped', 'running']);
  });

  it('ids and exclude; an HA guest is followed by its own status, and restore starts it explicitly', async () => {
    const pve = driver({ guests: { ids: [100, 102] }, exclude: [100] });
    await pve.act('shutdown', context());
    assert.equal(simulator.guest(102).status, 'stopped');
    assert.equal(simulator.guest(100).status, 'running', 'excluded');
    await pve.act('start', context());
    assert.equal(simulator.guest(102).status, 'running');
  });

  it('a paused VM refuses a graceful shutdown; with force it is stopped', async () => {
    await assert.rejects(driver({ guests: { ids: [103] } }).act('shutdown', context()), (error: unknown) => error instanceof ActionFailedError && /paused/.test(error.message));
    await driver({ guests: { ids: [103] } }).act('shutdown', context(10_000, true));
    assert.equal(simulator.guest(103).status, 'stopped');
  });

  it('a guest that ignores the shutdown: the task fails at its timeout; with force, forceStop ends it', async () => {
    await assert.rejects(driver({ guests: { ids: [104] } }).act('shutdown', context(4000)), (error: unknown) => error instanceof ActionFailedError && /got timeout/.test(error.message));
    await driver({ guests: { ids: [104] } }).act('shutdown', context(4000, true));
    assert.equal(simulator.guest(104).status, 'stopped');
  });

  it('poweroff: the guests first, then the node', async () => {
    const pve = driver({ guests: { ids: [100, 101, 200] } });
    await pve.act('poweroff', context());
    assert.equal(await pve.verify('poweroff', context()), true);
    assert.equal(simulator.nodeStatus('pve'), 'offline');
    const posts = simulator.mutatingCalls.map((call) => call.path);
    assert.ok(posts.indexOf('/nodes/pve/status') > Math.max(...['100', '101', '200'].map((id) => posts.findIndex((p) => p.includes(`/${id}/status/shutdown`)))));
  });

  it('a certificate that is not the pinned one is refused before anything is sent; a CA file works too', async () => {
    const wrong = driver({ tls_fingerprint: fingerprint.replace(/^[0-9A-F]{2}/, (pair) => (pair === 'AA' ? 'BB' : 'AA')) });
    await assert.rejects(wrong.act('shutdown', context()), HostKeyError);
    assert.equal(simulator.mutatingCalls.length, 0);
    const caFile = path.join(tempDir(), 'pve-root-ca.pem');
    fs.writeFileSync(caFile, certPem);
    const byCa = driver({ tls_fingerprint: undefined, ca_file: caFile, guests: { ids: [101] } });
    assert.equal((await byCa.probe(context())).reachable, true);
  });

  it('a wrong token and a token without VM.PowerMgmt are typed authentication errors', async () => {
    await assert.rejects(driver({}, `${TOKEN_ID}=wrong`).act('shutdown', context()), TargetAuthError);
    await assert.rejects(driver({ guests: { ids: [101] } }, 'auditor@pve!ro=ro-secret').act('shutdown', context()), (error: unknown) =>
      error instanceof TargetAuthError && /Permission check failed/.test(error.message));
    assert.equal(simulator.guest(101).status, 'running');
  });
});
