import assert from 'node:assert/strict';
import type * as http from 'node:http';
import * as https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { simProxmoxCommand } from '../../../src/cli/sim-proxmox-command';
import { UsageError } from '../../../src/errors';
import {
  addDemoCluster,
  generateCertificate,
  parseUpid,
  ProxmoxSimulator,
  type ProxmoxListenInfo,
  type TlsMaterial,
} from '../../../src/proxmox/simulator';

const SECRET = '5f2b6d0e-7c41-4b8e-9a53-0d1c2e3f4a5b';
const AUDIT_TOKEN = 'monitor@pve!readonly';
const AUDIT_SECRET = 'a1b2c3d4-0000-4000-8000-000000000001';
const TOKEN_AUTH = `PVEAPIToken=root@pam!walnut=${SECRET}`;
const POLL_MS = 50;

interface Envelope {
  data?: unknown;
  message?: string;
  errors?: Record<string, string>;
}

interface Reply {
  status: number;
  reason: string;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: Envelope | undefined;
  peerFingerprint: string | undefined;
}

interface RequestOptions {
  auth?: string | null;
  headers?: Record<string, string>;
  form?: Record<string, string>;
  json?: Record<string, unknown>;
  agent?: https.Agent;
  /** Skip CA verification (the fingerprint is checked by the caller instead). */
  insecure?: boolean;
}

interface TaskStatus {
  upid: string;
  node: string;
  type: string;
  id: string;
  user: string;
  tokenid?: string;
  status: string;
  exitstatus?: string;
}

interface GuestStatus {
  vmid: number;
  status: string;
  qmpstatus?: string;
  ha: { managed: number; state?: string };
  agent?: number;
}

interface Resource {
  id: string;
  type: string;
  node: string;
  vmid?: number;
  name?: string;
  status: string;
  hastate?: string;
  tags?: string;
}

/** A plain node:https request against the simulator, trusting only its certificate. */
function request(info: ProxmoxListenInfo, method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  const auth = options.auth === undefined ? TOKEN_AUTH : options.auth;
  if (auth !== null) headers.Authorization = auth;
  let payload: string | undefined;
  if (options.form) {
    payload = new URLSearchParams(options.form).toString();
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  } else if (options.json) {
    payload = JSON.stringify(options.json);
    headers['Content-Type'] = 'application/json';
  }
  if (payload !== undefined) headers['Content-Length'] = String(Buffer.byteLength(payload));
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: info.host,
        port: info.port,
        method,
        path: `/api2/json${path}`,
        headers,
        agent: options.agent ?? false,
        ...(options.insecure ? { rejectUnauthorized: false } : { ca: info.certPem }),
      },
      (res) => {
        const peerFingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            reason: res.statusMessage ?? '',
            headers: res.headers,
            text,
            body: text === '' ? undefined : (JSON.parse(text) as Envelope),
            peerFingerprint,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function data<T>(reply: Reply): T {
  assert.equal(reply.status, 200, `${reply.status} ${reply.reason}: ${reply.text}`);
  return reply.body?.data as T;
}

/** Polls until check() is true, every POLL_MS, failing after a generous deadline. */
async function waitUntil(what: string, check: () => Promise<boolean> | boolean, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

describe('Proxmox VE simulator', () => {
  let tls: TlsMaterial;
  let sim: ProxmoxSimulator;
  let info: ProxmoxListenInfo;

  before(async () => {
    tls = await generateCertificate();
  });

  beforeEach(async () => {
    sim = new ProxmoxSimulator({ taskMs: 100, authFailureDelayMs: 0, tls });
    addDemoCluster(sim, SECRET);
    sim.addToken(AUDIT_TOKEN, AUDIT_SECRET, { privileges: 'audit-only' });
    sim.addUser('root@pam', 'pve-password');
    info = await sim.start();
  });

  afterEach(async () => {
    await sim.stop();
  });

  const get = (path: string, options?: RequestOptions): Promise<Reply> => request(info, 'GET', path, options);
  const post = (path: string, form: Record<string, string> = {}, options: RequestOptions = {}): Promise<Reply> =>
    request(info, 'POST', path, { form, ...options });

  async function taskStatus(upid: string): Promise<TaskStatus> {
    const node = parseUpid(upid)?.node ?? 'pve';
    return data<TaskStatus>(await get(`/nodes/${node}/tasks/${encodeURIComponent(upid)}/status`));
  }

  /** Follows a task the way a client must: by polling its status. */
  async function finished(upid: string): Promise<TaskStatus> {
    let status = await taskStatus(upid);
    await waitUntil(`task ${upid}`, async () => {
      status = await taskStatus(upid);
      return status.status === 'stopped';
    });
    return status;
  }

  async function guestStatus(type: 'qemu' | 'lxc', vmid: number): Promise<GuestStatus> {
    return data<GuestStatus>(await get(`/nodes/pve/${type}/${vmid}/status/current`));
  }

  async function resources(): Promise<Resource[]> {
    return data<Resource[]>(await get('/cluster/resources?type=vm'));
  }

  describe('authentication', () => {
    it('takes an API token and answers in the data envelope', async () => {
      const reply = await get('/version');
      assert.equal(reply.status, 200);
      assert.match(String(reply.headers['content-type']), /^application\/json/);
      assert.equal(typeof data<{ version: string }>(reply).version, 'string');
    });

    it('refuses a wrong secret or no credentials with an empty 401', async () => {
      const wrong = await get('/version', { auth: 'PVEAPIToken=root@pam!walnut=not-the-secret' });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.reason, 'Authentication failed!');
      assert.equal(wrong.text, '');
      const none = await get('/version', { auth: null });
      assert.equal(none.status, 401);
      assert.equal(none.reason, 'No ticket');
      assert.equal(none.text, '');
    });

    it('holds a 401 back for authFailureDelayMs', async () => {
      const slow = new ProxmoxSimulator({ authFailureDelayMs: 200, tls });
      addDemoCluster(slow, SECRET);
      const slowInfo = await slow.start();
      try {
        const started = Date.now();
        const reply = await request(slowInfo, 'GET', '/version', { auth: null });
        assert.equal(reply.status, 401);
        assert.ok(Date.now() - started >= 190, `answered after ${Date.now() - started} ms`);
        assert.equal((await request(slowInfo, 'GET', '/version')).status, 200);
      } finally {
        await slow.stop();
      }
    });

    it('logs in with a ticket; a non-GET with the cookie needs the CSRF header', async () => {
      const bad = await post('/access/ticket', { username: 'root@pam', password: 'nope' }, { auth: null });
      assert.equal(bad.status, 401);
      assert.equal(bad.body?.message, 'authentication failure\n');

      const login = data<{ ticket: string; CSRFPreventionToken: string; username: string }>(
        await post('/access/ticket', { username: 'root', realm: 'pam', password: 'pve-password' }, { auth: null }),
      );
      assert.equal(login.username, 'root@pam');
      assert.match(login.ticket, /^PVE:root@pam:[0-9A-F]{8}::/);
      const cookie = { Cookie: `PVEAuthCookie=${encodeURIComponent(login.ticket)}` };

      assert.equal((await get('/nodes', { auth: null, headers: cookie })).status, 200);
      const withoutCsrf = await post('/nodes/pve/qemu/101/status/shutdown', {}, { auth: null, headers: cookie });
      assert.equal(withoutCsrf.status, 401);
      assert.equal(withoutCsrf.text, '');
      assert.equal(sim.guest(101).status, 'running');

      const withCsrf = await post('/nodes/pve/qemu/101/status/shutdown', {}, {
        auth: null,
        headers: { ...cookie, CSRFPreventionToken: login.CSRFPreventionToken },
      });
      const upid = data<string>(withCsrf);
      assert.match(upid, /^UPID:pve:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmshutdown:101:root@pam:$/);
      const task = await finished(upid);
      assert.equal(task.user, 'root@pam');
      assert.equal(task.tokenid, undefined);
      assert.equal(task.exitstatus, 'OK');
    });

    it('gives an audit-only token the listings but a 403 on power calls', async () => {
      const audit = `PVEAPIToken=${AUDIT_TOKEN}=${AUDIT_SECRET}`;
      assert.equal((await get('/cluster/resources?type=vm', { auth: audit })).status, 200);
      const refused = await post('/nodes/pve/qemu/101/status/shutdown', { timeout: '30' }, { auth: audit });
      assert.equal(refused.status, 403);
      assert.equal(refused.reason, 'Permission check failed (/vms/101, VM.PowerMgmt)');
      assert.deepEqual(refused.body, { data: null, message: 'Permission check failed (/vms/101, VM.PowerMgmt)\n' });
      const node = await post('/nodes/pve/status', { command: 'shutdown' }, { auth: audit });
      assert.equal(node.status, 403);
      assert.equal(node.reason, 'Permission check failed (/nodes/pve, Sys.PowerMgmt)');
      assert.equal(sim.guest(101).status, 'running');
      assert.equal(sim.nodeStatus('pve'), 'online');
    });
  });

  describe('listings', () => {
    it('lists nodes with the certificate fingerprint', async () => {
      const nodes = data<Array<{ node: string; status: string; ssl_fingerprint: string }>>(await get('/nodes'));
      assert.deepEqual(nodes.map((n) => [n.node, n.status, n.ssl_fingerprint]), [['pve', 'online', info.fingerprint256]]);
    });

    it('lists guests cluster-wide with type, tags and HA state', async () => {
      const list = await resources();
      assert.deepEqual(list.map((r) => r.id), ['qemu/100', 'qemu/101', 'qemu/102', 'qemu/103', 'lxc/200']);
      const byId = new Map(list.map((r) => [r.id, r]));
      assert.equal(byId.get('qemu/101')?.tags, 'lab');
      assert.equal(byId.get('qemu/100')?.tags, undefined);
      assert.equal(byId.get('qemu/102')?.hastate, 'started');
      assert.equal(byId.get('qemu/100')?.hastate, undefined);
      assert.equal(byId.get('qemu/103')?.status, 'running');
      assert.deepEqual({ type: byId.get('lxc/200')?.type, node: byId.get('lxc/200')?.node, vmid: byId.get('lxc/200')?.vmid }, { type: 'lxc', node: 'pve', vmid: 200 });
    });

    it('lists VMs and CTs per node, and one guest with qmpstatus, ha and agent', async () => {
      const vms = data<Array<{ vmid: number; name: string; status: string; template: number }>>(await get('/nodes/pve/qemu'));
      assert.deepEqual(vms.map((v) => [v.vmid, v.name, v.template]), [[100, 'walnut', 0], [101, 'web', 0], [102, 'ha-db', 0], [103, 'paused', 0]]);
      const cts = data<Array<{ vmid: number; name: string }>>(await get('/nodes/pve/lxc'));
      assert.deepEqual(cts.map((c) => [c.vmid, c.name]), [[200, 'dns']]);

      const paused = await guestStatus('qemu', 103);
      assert.deepEqual([paused.status, paused.qmpstatus, paused.ha], ['running', 'paused', { managed: 0 }]);
      const ha = await guestStatus('qemu', 102);
      assert.deepEqual(ha.ha, { managed: 1, state: 'started' });
      assert.equal((await guestStatus('qemu', 100)).agent, 1);
      assert.equal((await guestStatus('lxc', 200)).qmpstatus, undefined);
    });

    it('answers 501 for unknown paths, 400 for bad parameters and 500 for unknown guests', async () => {
      const unknown = await get('/x');
      assert.equal(unknown.status, 501);
      assert.equal(unknown.reason, "Method 'GET /x' not implemented");
      assert.equal(unknown.body?.message, "Method 'GET /x' not implemented\n");
      assert.equal((await request(info, 'DELETE', '/nodes/pve/qemu/100')).status, 501);

      const bad = await post('/nodes/pve/qemu/100/status/shutdown', { timeout: 'soon', forcestop: '1' });
      assert.equal(bad.status, 400);
      assert.equal(bad.reason, 'Parameter verification failed.');
      assert.deepEqual(Object.keys(bad.body?.errors ?? {}).sort(), ['forcestop', 'timeout']);
      assert.equal(sim.guest(100).status, 'running');

      const missing = await get('/nodes/pve/qemu/999/status/current');
      assert.equal(missing.status, 500);
      assert.equal(missing.reason, "Configuration file 'nodes/pve/qemu-server/999.conf' does not exist");
    });
  });

  describe('guest power', () => {
    it('shuts a VM down gracefully: the task ends OK and the guest is stopped', async () => {
      const upid = data<string>(await post('/nodes/pve/qemu/100/status/shutdown', { timeout: '60', forceStop: '0' }));
      const parts = parseUpid(upid);
      assert.deepEqual([parts?.node, parts?.type, parts?.id, parts?.user], ['pve', 'qmshutdown', '100', 'root@pam!walnut']);
      const first = await taskStatus(upid);
      assert.equal(first.status, 'running');
      assert.equal(first.exitstatus, undefined);
      const task = await finished(upid);
      assert.deepEqual([task.type, task.id, task.user, task.tokenid, task.exitstatus], ['qmshutdown', '100', 'root@pam', 'walnut', 'OK']);
      assert.equal(sim.guest(100).status, 'stopped');
      assert.equal((await guestStatus('qemu', 100)).qmpstatus, 'stopped');
      // the UPID also works unencoded in the path
      assert.equal(data<TaskStatus>(await get(`/nodes/pve/tasks/${upid}/status`)).exitstatus, 'OK');

      const again = await finished(data<string>(await post('/nodes/pve/qemu/100/status/shutdown')));
      assert.equal(again.exitstatus, 'OK');
    });

    it('refuses to shut a paused VM down at once, but stops it with forceStop', async () => {
      const refused = await post('/nodes/pve/qemu/103/status/shutdown', { timeout: '30' });
      assert.equal(refused.status, 500);
      assert.equal(refused.reason, 'VM is paused - cannot shutdown');
      assert.deepEqual(refused.body, { data: null, message: 'VM is paused - cannot shutdown\n' });
      assert.equal(sim.guest(103).status, 'running');

      const forced = await finished(data<string>(await post('/nodes/pve/qemu/103/status/shutdown', { forceStop: '1' })));
      assert.equal(forced.exitstatus, 'OK');
      assert.equal(sim.guest(103).status, 'stopped');
    });

    it('times a guest that ignores ACPI out, and kills it with forceStop', async () => {
      sim.addGuest({ vmid: 104, type: 'qemu', node: 'pve', name: 'stubborn', status: 'running', behaviour: 'ignore' });
      const timedOut = await finished(data<string>(await post('/nodes/pve/qemu/104/status/shutdown', { timeout: '1' })));
      assert.equal(timedOut.exitstatus, 'VM quit/powerdown failed - got timeout');
      assert.equal(sim.guest(104).status, 'running');

      const forced = await finished(data<string>(await request(info, 'POST', '/nodes/pve/qemu/104/status/shutdown', { json: { timeout: 1, forceStop: true } })));
      assert.equal(forced.exitstatus, 'WARNINGS: 1');
      assert.equal(sim.guest(104).status, 'stopped');
    });

    it('stops, refuses and starts a CT synchronously where PVE does', async () => {
      const stopped = await finished(data<string>(await post('/nodes/pve/lxc/200/status/stop')));
      assert.equal(stopped.type, 'vzstop');
      assert.equal(stopped.exitstatus, 'OK');
      assert.equal(sim.guest(200).status, 'stopped');

      const refused = await post('/nodes/pve/lxc/200/status/shutdown', { timeout: '30' });
      assert.equal(refused.status, 500);
      assert.equal(refused.reason, 'CT 200 not running');
      assert.equal(refused.body?.message, 'CT 200 not running\n');

      const started = await finished(data<string>(await post('/nodes/pve/lxc/200/status/start')));
      assert.deepEqual([started.type, started.exitstatus], ['vzstart', 'OK']);
      assert.equal(sim.guest(200).status, 'running');
      const twice = await post('/nodes/pve/lxc/200/status/start');
      assert.equal(twice.status, 500);
      assert.equal(twice.reason, 'CT 200 already running');
    });

    it('starts a stopped VM; starting a running VM fails inside its task', async () => {
      await finished(data<string>(await post('/nodes/pve/qemu/101/status/stop')));
      assert.equal(sim.guest(101).status, 'stopped');
      const started = await finished(data<string>(await post('/nodes/pve/qemu/101/status/start')));
      assert.deepEqual([started.type, started.exitstatus], ['qmstart', 'OK']);
      assert.equal(sim.guest(101).status, 'running');

      const twice = await finished(data<string>(await post('/nodes/pve/qemu/101/status/start')));
      assert.equal(twice.exitstatus, 'VM 101 already running');
    });

    it('hands an HA guest to the HA manager: a quick hastop, the guest stops later, hastate stopped', async () => {
      sim.addGuest({ vmid: 105, type: 'qemu', node: 'pve', name: 'ha-slow', status: 'running', ha: true, shutdownTakesMs: 400 });
      const task = await finished(data<string>(await post('/nodes/pve/qemu/105/status/shutdown', { timeout: '60' })));
      assert.deepEqual([task.type, task.id, task.exitstatus], ['hastop', '105', 'OK']);
      assert.equal((await guestStatus('qemu', 105)).status, 'running');
      assert.equal((await resources()).find((r) => r.vmid === 105)?.hastate, 'stopped');
      assert.equal(sim.haState(105), 'stopped');
      await waitUntil('HA guest stopped', async () => (await guestStatus('qemu', 105)).status === 'stopped');
      assert.deepEqual((await guestStatus('qemu', 105)).ha, { managed: 1, state: 'stopped' });

      const start = await finished(data<string>(await post('/nodes/pve/qemu/105/status/start')));
      assert.deepEqual([start.type, start.exitstatus], ['hastart', 'OK']);
      assert.equal((await resources()).find((r) => r.vmid === 105)?.hastate, 'started');
      await waitUntil('HA guest running', async () => (await guestStatus('qemu', 105)).status === 'running');
    });
  });

  describe('node power', () => {
    it('shuts a node down: data null, then the node is offline and its guests stopped', async () => {
      const reply = await post('/nodes/pve/status', { command: 'shutdown' });
      assert.equal(data<null>(reply), null);
      await waitUntil('node offline', async () => {
        const nodes = data<Array<{ node: string; status: string }>>(await get('/nodes'));
        return nodes[0]?.status === 'offline';
      });
      assert.equal(sim.nodeStatus('pve'), 'offline');
      assert.ok((await resources()).every((r) => r.status === 'stopped'));
      assert.equal((await get('/nodes/pve/qemu')).status, 595);

      sim.setNodeStatus('pve', 'online');
      assert.equal((await get('/nodes/pve/qemu')).status, 200);
    });

    it('stops and starts all guests of a node', async () => {
      sim.addGuest({ vmid: 104, type: 'qemu', node: 'pve', name: 'stubborn', status: 'running', behaviour: 'ignore' });
      const stopall = await finished(data<string>(await post('/nodes/pve/stopall', { timeout: '1', 'force-stop': '1' })));
      assert.deepEqual([stopall.type, stopall.id], ['stopall', '']);
      assert.equal(stopall.exitstatus, 'WARNINGS: 1');
      assert.ok((await resources()).every((r) => r.status === 'stopped'));

      const startall = await finished(data<string>(await post('/nodes/pve/startall', { vms: '100,200' })));
      assert.equal(startall.exitstatus, 'OK');
      assert.deepEqual([100, 101, 200].map((vmid) => sim.guest(vmid).status), ['running', 'stopped', 'running']);
    });
  });

  it('records every POST but the login in mutatingCalls, and no GET', async () => {
    await get('/cluster/resources?type=vm');
    await get('/nodes/pve/qemu/100/status/current');
    await post('/access/ticket', { username: 'root@pam', password: 'pve-password' }, { auth: null });
    assert.equal(sim.mutatingCalls.length, 0);
    await post('/nodes/pve/qemu/101/status/shutdown', { timeout: '30', forceStop: '1' });
    await post('/nodes/pve/qemu/103/status/shutdown');
    assert.deepEqual(
      sim.mutatingCalls.map(({ method, path, params }) => ({ method, path, params })),
      [
        { method: 'POST', path: '/nodes/pve/qemu/101/status/shutdown', params: { timeout: '30', forceStop: '1' } },
        { method: 'POST', path: '/nodes/pve/qemu/103/status/shutdown', params: {} },
      ],
    );
    assert.ok(sim.mutatingCalls.every((call) => typeof call.at === 'number'));
  });

  describe('TLS', () => {
    it('presents the fingerprint start() reports, /nodes and certificates/info show', async () => {
      const fresh = new ProxmoxSimulator({ authFailureDelayMs: 0 });
      addDemoCluster(fresh, SECRET);
      const freshInfo = await fresh.start();
      try {
        assert.match(freshInfo.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
        const pinned = await request(freshInfo, 'GET', '/nodes', { insecure: true });
        assert.equal(pinned.peerFingerprint, freshInfo.fingerprint256);
        const nodes = data<Array<{ ssl_fingerprint: string }>>(pinned);
        assert.equal(nodes[0]?.ssl_fingerprint, freshInfo.fingerprint256);
        const certs = data<Array<{ filename: string; fingerprint: string }>>(await request(freshInfo, 'GET', '/nodes/pve/certificates/info'));
        assert.deepEqual(certs.map((c) => [c.filename, c.fingerprint]), [['pve-ssl.pem', freshInfo.fingerprint256]]);
        assert.notEqual(freshInfo.fingerprint256, info.fingerprint256);
      } finally {
        await fresh.stop();
      }
    });

    it('keeps connections alive and counts new TLS connections', async () => {
      const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const before = sim.stats.connections;
        const requests = sim.stats.requests;
        for (let i = 0; i < 3; i += 1) assert.equal((await get('/version', { agent })).status, 200);
        assert.equal(sim.stats.connections - before, 1);
        assert.equal(sim.stats.requests - requests, 3);
        await get('/version');
        assert.equal(sim.stats.connections - before, 2);
      } finally {
        agent.destroy();
      }
    });
  });
});

describe('walnut sim proxmox command', () => {
  it('serves the demo cluster, prints the URL, fingerprint and token, and stops on request', async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    let listening!: (url: string) => void;
    const url = new Promise<string>((resolve) => (listening = resolve));
    const print = (line: string): void => {
      lines.push(line);
      const match = /^Proxmox VE simulator listening on (https:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (match?.[1] !== undefined) listening(match[1]);
    };
    const running = simProxmoxCommand({ port: '0' }, { stop: stop.signal, print });
    try {
      const { port } = new URL(await url);
      const value = (prefix: string): string => lines.find((line) => line.startsWith(prefix))?.slice(prefix.length) ?? '';
      const tokenId = value('API token id: ');
      const secret = value('API token secret: ');
      const fingerprint = value('certificate SHA-256 fingerprint: ');
      assert.equal(tokenId, 'root@pam!walnut');
      const target: ProxmoxListenInfo = { host: '127.0.0.1', port: Number(port), url: await url, fingerprint256: fingerprint, certPem: '' };
      const reply = await request(target, 'GET', '/cluster/resources?type=vm', { auth: `PVEAPIToken=${tokenId}=${secret}`, insecure: true });
      assert.equal(reply.peerFingerprint, fingerprint);
      const list = data<Resource[]>(reply);
      assert.deepEqual(
        list.map((r) => [r.id, r.name, r.status, r.tags, r.hastate]),
        [
          ['qemu/100', 'walnut', 'running', undefined, undefined],
          ['qemu/101', 'web', 'running', 'lab', undefined],
          ['qemu/102', 'ha-db', 'running', undefined, 'started'],
          ['qemu/103', 'paused', 'running', undefined, undefined],
          ['lxc/200', 'dns', 'running', undefined, undefined],
        ],
      );
    } finally {
      stop.abort();
      await running;
    }
  });

  it('rejects a bad port before listening', async () => {
    await assert.rejects(simProxmoxCommand({ port: 'https' }, { print: () => undefined }), UsageError);
    await assert.rejects(simProxmoxCommand({ port: '70000' }, { print: () => undefined }), UsageError);
  });
});
