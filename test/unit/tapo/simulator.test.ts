import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { simTapoCommand } from '../../../src/cli/sim-tapo-command';
import { UsageError } from '../../../src/errors';
import { klapAuthHash, klapSessionKeys, TapoSimulator, type TapoSimulatorOptions } from '../../../src/tapo/simulator';
import { seqAfter } from '../../../src/tapo/simulator/klap';

// The client side below is written from PROTOCOLS.md §3 with node:crypto, on purpose
// without the simulator's own helpers: it is the oracle the simulator is checked against.

const EMAIL = 'user@example.com';
const PASSWORD = 'secret';

// PROTOCOLS.md §3.1 test vectors
const LOCAL_SEED = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const REMOTE_SEED = Buffer.from('101112131415161718191a1b1c1d1e1f', 'hex');
const V = {
  authHash: 'b039216532fc844e9ae0cc8fe3ea911c9ba09c641bb96a3e1f776d93f7b5ae9b',
  handshake1: '8ed3b905e654fbee23900d0244156a33029c025b71b03bfcc601eff33aaebb70',
  handshake2: '1e590e7a4dc128da48ed17e06fe23ddb6ec646bb6da2eb00708d590f194201d7',
  key: '35dcf29cd535ce140a239c67f641d395',
  iv12: '863e09a70667472d3fa152a4',
  seq0: -903964344,
  sig: '777443e2fdd5cb21052633a60e830f44c8654b3a701f449231ed11fa',
  firstSeq: -903964343,
  firstBody:
    '81da24b0a1db4c9ec2fd895b347d416921d7f7a822457b501a52072e5f9acebf1119b459358000bec16c976ef226a249c491bf18064c9319a51d85792116a683',
};

interface InnerReply {
  error_code: number;
  result?: Record<string, unknown>;
}

interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function post(port: number, path: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<HttpResult> {
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { 'Content-Length': String(payload.length), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function sha(algorithm: string, ...parts: Buffer[]): Buffer {
  const hash = crypto.createHash(algorithm);
  for (const part of parts) hash.update(part);
  return hash.digest();
}

function int32be(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(value);
  return bytes;
}

/** TP_SESSIONID and TIMEOUT from the single Set-Cookie header the device sends. */
function cookies(headers: http.IncomingHttpHeaders): Map<string, string> {
  const found = new Map<string, string>();
  for (const header of headers['set-cookie'] ?? []) {
    for (const part of header.split(';')) {
      const [name, value] = part.trim().split('=');
      if (name !== undefined && value !== undefined) found.set(name, value);
    }
  }
  return found;
}

// ---- KLAP client side, from the formulas -----------------------------------------

function authHashOf(email: string, password: string): Buffer {
  return sha('sha256', sha('sha1', Buffer.from(email)), sha('sha1', Buffer.from(password)));
}

class KlapPeer {
  private seq: number;
  private readonly key: Buffer;
  private readonly iv12: Buffer;
  private readonly sig: Buffer;

  constructor(
    private readonly port: number,
    readonly cookie: string,
    localSeed: Buffer,
    remoteSeed: Buffer,
    authHash: Buffer,
  ) {
    const l = Buffer.concat([localSeed, remoteSeed, authHash]);
    const ivHash = sha('sha256', Buffer.from('iv'), l);
    this.key = sha('sha256', Buffer.from('lsk'), l).subarray(0, 16);
    this.iv12 = ivHash.subarray(0, 12);
    this.seq = ivHash.readInt32BE(28);
    this.sig = sha('sha256', Buffer.from('ldk'), l).subarray(0, 28);
  }

  /** Handshakes 1 and 2; throws when handshake 1's hash shows the credentials differ. */
  static async connect(port: number, email: string, password: string, localSeed = crypto.randomBytes(16)): Promise<KlapPeer> {
    const authHash = authHashOf(email, password);
    const h1 = await post(port, '/app/handshake1', localSeed);
    assert.equal(h1.status, 200);
    assert.equal(h1.body.length, 48);
    const remoteSeed = h1.body.subarray(0, 16);
    if (!h1.body.subarray(16).equals(sha('sha256', localSeed, remoteSeed, authHash))) throw new Error('handshake1 hash mismatch');
    const session = cookies(h1.headers).get('TP_SESSIONID');
    assert.ok(session);
    const cookie = `TP_SESSIONID=${session}`;
    const h2 = await post(port, '/app/handshake2', sha('sha256', remoteSeed, localSeed, authHash), { Cookie: cookie });
    assert.equal(h2.status, 200);
    return new KlapPeer(port, cookie, localSeed, remoteSeed, authHash);
  }

  encrypt(seq: number, json: string): Buffer {
    const cipher = crypto.createCipheriv('aes-128-cbc', this.key, Buffer.concat([this.iv12, int32be(seq)]));
    const ct = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
    return Buffer.concat([sha('sha256', this.sig, int32be(seq), ct), ct]);
  }

  nextSeq(): number {
    this.seq = (this.seq + 1) | 0;
    return this.seq;
  }

  async raw(seq: number, body: Buffer): Promise<HttpResult> {
    return post(this.port, `/app/request?seq=${seq}`, body, { Cookie: this.cookie });
  }

  /** One inner request; resolves to the HTTP status when the device refuses it. */
  async call(method: string, params?: unknown): Promise<InnerReply | number> {
    const seq = this.nextSeq();
    const json = JSON.stringify(params === undefined ? { method } : { method, params, request_time_milis: Date.now() });
    const res = await this.raw(seq, this.encrypt(seq, json));
    if (res.status !== 200) return res.status;
    const ct = res.body.subarray(32);
    assert.ok(res.body.subarray(0, 32).equals(sha('sha256', this.sig, int32be(seq), ct)), 'reply signature');
    const decipher = crypto.createDecipheriv('aes-128-cbc', this.key, Buffer.concat([this.iv12, int32be(seq)]));
    return JSON.parse(Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8')) as InnerReply;
  }
}

// ---- securePassthrough client side ---------------------------------------------

/** RSA-PKCS#1 v1.5 by hand: Node 20 refuses privateDecrypt with that padding. */
function unwrapPkcs1(privateKey: crypto.KeyObject, wrapped: Buffer): Buffer {
  const block = crypto.privateDecrypt({ key: privateKey, padding: crypto.constants.RSA_NO_PADDING }, wrapped);
  assert.equal(block[0], 0x00);
  assert.equal(block[1], 0x02);
  const end = block.indexOf(0x00, 2);
  assert.ok(end >= 10, 'at least 8 padding bytes');
  return block.subarray(end + 1);
}

const RSA = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });

class PassthroughPeer {
  token: string | undefined;

  private constructor(
    private readonly port: number,
    readonly cookie: string,
    private readonly key: Buffer,
    private readonly iv: Buffer,
  ) {}

  static async connect(port: number): Promise<PassthroughPeer> {
    const pem = RSA.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const res = await post(port, '/app', JSON.stringify({ method: 'handshake', params: { key: pem } }), { 'Content-Type': 'application/json' });
    assert.equal(res.status, 200);
    const reply = JSON.parse(res.body.toString('utf8')) as { error_code: number; result: { key: string } };
    assert.equal(reply.error_code, 0);
    const keys = unwrapPkcs1(RSA.privateKey, Buffer.from(reply.result.key, 'base64'));
    assert.equal(keys.length, 32);
    const session = cookies(res.headers).get('TP_SESSIONID');
    assert.ok(session);
    return new PassthroughPeer(port, `TP_SESSIONID=${session}`, keys.subarray(0, 16), keys.subarray(16));
  }

  /** The outer reply, and the decrypted inner one when the outer says 0. */
  async send(inner: unknown, token = this.token): Promise<{ outer: number; inner?: InnerReply }> {
    const cipher = crypto.createCipheriv('aes-128-cbc', this.key, this.iv);
    const request = Buffer.concat([cipher.update(JSON.stringify(inner), 'utf8'), cipher.final()]).toString('base64');
    const path = token === undefined ? '/app' : `/app?token=${token}`;
    const res = await post(this.port, path, JSON.stringify({ method: 'securePassthrough', params: { request } }), {
      'Content-Type': 'application/json',
      Cookie: this.cookie,
    });
    assert.equal(res.status, 200);
    const outer = JSON.parse(res.body.toString('utf8')) as { error_code: number; result?: { response: string } };
    if (outer.error_code !== 0 || !outer.result) return { outer: outer.error_code };
    const decipher = crypto.createDecipheriv('aes-128-cbc', this.key, this.iv);
    const plain = Buffer.concat([decipher.update(Buffer.from(outer.result.response, 'base64')), decipher.final()]);
    return { outer: 0, inner: JSON.parse(plain.toString('utf8')) as InnerReply };
  }

  async call(method: string, params: unknown = {}): Promise<InnerReply | number> {
    const reply = await this.send({ method, params, request_time_milis: Date.now() });
    return reply.inner ?? reply.outer;
  }

  async login(email: string, password: string, v2 = false): Promise<InnerReply | number> {
    const username = Buffer.from(sha('sha1', Buffer.from(email)).toString('hex')).toString('base64');
    const params = v2
      ? { username, password2: Buffer.from(sha('sha1', Buffer.from(password)).toString('hex')).toString('base64') }
      : { username, password: Buffer.from(password).toString('base64') };
    const reply = await this.call('login_device', params);
    if (typeof reply !== 'number' && reply.error_code === 0) this.token = reply.result?.token as string;
    return reply;
  }
}

// ---- tests -----------------------------------------------------------------------

function ok(reply: InnerReply | number): Record<string, unknown> {
  assert.ok(typeof reply !== 'number', `HTTP ${JSON.stringify(reply)}`);
  assert.equal(reply.error_code, 0, JSON.stringify(reply));
  return reply.result ?? {};
}

function errorCode(reply: InnerReply | number): number {
  assert.ok(typeof reply !== 'number', `HTTP ${JSON.stringify(reply)}`);
  return reply.error_code;
}

describe('Tapo simulator', () => {
  const running: TapoSimulator[] = [];

  async function startSim(options: Partial<TapoSimulatorOptions> = {}): Promise<{ sim: TapoSimulator; port: number }> {
    const sim = new TapoSimulator({ email: EMAIL, password: PASSWORD, transport: 'klap', ...options });
    running.push(sim);
    const { port } = await sim.start();
    return { sim, port };
  }

  afterEach(async () => {
    await Promise.all(running.splice(0).map((sim) => sim.stop()));
  });

  describe('KLAP derivations (PROTOCOLS.md §3.1 vectors)', () => {
    it('reproduces auth_hash, key, iv12, seq0, sig and both handshake hashes', () => {
      const authHash = klapAuthHash(EMAIL, PASSWORD);
      assert.equal(authHash.toString('hex'), V.authHash);
      const keys = klapSessionKeys(LOCAL_SEED, REMOTE_SEED, authHash);
      assert.equal(keys.key.toString('hex'), V.key);
      assert.equal(keys.iv12.toString('hex'), V.iv12);
      assert.equal(keys.seq0, V.seq0);
      assert.equal(keys.sig.toString('hex'), V.sig);
      assert.equal(sha('sha256', LOCAL_SEED, REMOTE_SEED, authHash).toString('hex'), V.handshake1);
      assert.equal(sha('sha256', REMOTE_SEED, LOCAL_SEED, authHash).toString('hex'), V.handshake2);
    });

    it('the vector keys give the documented first request body', () => {
      const key = Buffer.from(V.key, 'hex');
      const iv = Buffer.concat([Buffer.from(V.iv12, 'hex'), int32be(V.firstSeq)]);
      const cipher = crypto.createCipheriv('aes-128-cbc', key, iv);
      const ct = Buffer.concat([cipher.update('{"method":"get_device_info"}', 'utf8'), cipher.final()]);
      const body = Buffer.concat([sha('sha256', Buffer.from(V.sig, 'hex'), int32be(V.firstSeq), ct), ct]);
      assert.equal(body.toString('hex'), V.firstBody);
      assert.equal(V.firstSeq, (V.seq0 + 1) | 0);
    });

    it('orders sequence numbers across the int32 wrap', () => {
      assert.equal(seqAfter(-2147483648, 2147483647), true);
      assert.equal(seqAfter(5, 5), false);
      assert.equal(seqAfter(4, 5), false);
      assert.equal(seqAfter(6, 5), true);
    });
  });

  describe('KLAP', () => {
    it('runs a session that reproduces the vectors on the wire', async () => {
      const { sim, port } = await startSim({ randomSeed: () => Buffer.from(REMOTE_SEED) });
      const h1 = await post(port, '/app/handshake1', LOCAL_SEED);
      assert.equal(h1.status, 200);
      assert.equal(h1.body.subarray(0, 16).toString('hex'), REMOTE_SEED.toString('hex'));
      assert.equal(h1.body.subarray(16).toString('hex'), V.handshake1);
      const jar = cookies(h1.headers);
      assert.equal(jar.get('TIMEOUT'), '86400');
      const cookie = `TP_SESSIONID=${jar.get('TP_SESSIONID') ?? ''}`;
      assert.equal((await post(port, '/app/handshake2', Buffer.from(V.handshake2, 'hex'), { Cookie: cookie })).status, 200);

      const res = await post(port, `/app/request?seq=${V.firstSeq}`, Buffer.from(V.firstBody, 'hex'), { Cookie: cookie });
      assert.equal(res.status, 200);
      const ct = res.body.subarray(32);
      assert.equal(res.body.subarray(0, 32).toString('hex'), sha('sha256', Buffer.from(V.sig, 'hex'), int32be(V.firstSeq), ct).toString('hex'));
      const iv = Buffer.concat([Buffer.from(V.iv12, 'hex'), int32be(V.firstSeq)]);
      const decipher = crypto.createDecipheriv('aes-128-cbc', Buffer.from(V.key, 'hex'), iv);
      const reply = JSON.parse(Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8')) as InnerReply;
      const info = ok(reply);
      assert.equal(info.model, 'P110');
      assert.equal(info.device_on, true);
      assert.equal(sim.stats.handshakes, 1);
      assert.equal(sim.stats.requests, 1);

      // the same seq again is a replay
      assert.equal((await post(port, `/app/request?seq=${V.firstSeq}`, Buffer.from(V.firstBody, 'hex'), { Cookie: cookie })).status, 403);
    });

    it('switches the relay, meters energy, and counts set_device_info', async () => {
      const { sim, port } = await startSim();
      const peer = await KlapPeer.connect(port, EMAIL, PASSWORD);

      const info = ok(await peer.call('get_device_info'));
      assert.equal(info.type, 'SMART.TAPOPLUG');
      assert.equal(Buffer.from(info.nickname as string, 'base64').toString('utf8'), 'walNUT plug');
      assert.equal(info.ip, '127.0.0.1');
      assert.equal(info.overheated, false);
      for (const field of ['on_time', 'mac', 'device_id', 'fw_ver', 'hw_ver', 'rssi']) assert.ok(field in info, field);

      assert.deepEqual(ok(await peer.call('set_device_info', { device_on: false })), {});
      assert.equal(sim.deviceOn, false);
      assert.equal(ok(await peer.call('get_device_info')).device_on, false);
      assert.equal(ok(await peer.call('get_energy_usage', {})).current_power, 0);
      assert.deepEqual(ok(await peer.call('set_device_info', { device_on: true })), {});
      assert.equal(sim.deviceOn, true);
      assert.deepEqual(
        sim.mutatingCalls.map((call) => call.params),
        [{ device_on: false }, { device_on: true }],
      );

      const energy = ok(await peer.call('get_energy_usage', {}));
      assert.equal(energy.current_power, 42500);
      for (const field of ['today_runtime', 'month_runtime', 'today_energy', 'month_energy']) assert.equal(typeof energy[field], 'number', field);
      assert.match(energy.local_time as string, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.equal(ok(await peer.call('get_current_power', {})).current_power, 43);

      assert.equal(errorCode(await peer.call('no_such_method', {})), -1002);
      assert.equal(errorCode(await peer.call('set_device_info', { device_on: 'yes' })), -1008);
      assert.equal(errorCode(await peer.call('get_device_info', null)), -1008);
      sim.failNext(-1301);
      assert.equal(errorCode(await peer.call('get_device_info')), -1301);
      ok(await peer.call('get_device_info'));
      assert.equal(sim.deviceOn, true);
    });

    it('refuses a bad signature, a stale seq and an unknown cookie with 403', async () => {
      const { port } = await startSim();
      const peer = await KlapPeer.connect(port, EMAIL, PASSWORD);
      const seq = peer.nextSeq();
      const body = peer.encrypt(seq, '{"method":"get_device_info"}');
      body[0] = (body[0] ?? 0) ^ 0xff;
      assert.equal((await peer.raw(seq, body)).status, 403);
      // a signed body for an older seq than one already seen
      ok(await peer.call('get_device_info'));
      assert.equal((await peer.raw(seq, peer.encrypt(seq, '{"method":"get_device_info"}'))).status, 403);
      assert.equal((await post(port, '/app/request?seq=1', Buffer.alloc(48), { Cookie: 'TP_SESSIONID=NOPE' })).status, 403);
      assert.equal((await post(port, '/app/request?seq=1', Buffer.alloc(48))).status, 403);
      assert.equal((await post(port, '/app/handshake2', Buffer.alloc(32))).status, 403);
    });

    it('expireSessions makes requests 403 until the client handshakes again', async () => {
      const { sim, port } = await startSim();
      const peer = await KlapPeer.connect(port, EMAIL, PASSWORD);
      ok(await peer.call('get_device_info'));
      sim.expireSessions();
      assert.equal(await peer.call('get_device_info'), 403);
      const again = await KlapPeer.connect(port, EMAIL, PASSWORD);
      ok(await again.call('get_device_info'));
      assert.equal(sim.stats.handshakes, 2);
    });

    it('sessions expire after the announced TIMEOUT', async () => {
      let clock = 1_700_000_000_000;
      const { port } = await startSim({ sessionTimeoutS: 60, now: () => clock });
      const h1 = await post(port, '/app/handshake1', crypto.randomBytes(16));
      assert.equal(cookies(h1.headers).get('TIMEOUT'), '60');
      const peer = await KlapPeer.connect(port, EMAIL, PASSWORD);
      clock += 59_000;
      ok(await peer.call('get_device_info'));
      clock += 1_000;
      assert.equal(await peer.call('get_device_info'), 403);
    });

    it('a wrong password shows in handshake 1, and handshake 2 refuses it', async () => {
      const { port } = await startSim();
      await assert.rejects(KlapPeer.connect(port, EMAIL, 'wrong'), /handshake1 hash mismatch/);
      await assert.rejects(KlapPeer.connect(port, 'User@example.com', PASSWORD), /handshake1 hash mismatch/);
      // a client that ignores the mismatch is stopped at handshake 2
      const local = crypto.randomBytes(16);
      const h1 = await post(port, '/app/handshake1', local);
      const cookie = `TP_SESSIONID=${cookies(h1.headers).get('TP_SESSIONID') ?? ''}`;
      const wrongProof = sha('sha256', h1.body.subarray(0, 16), local, authHashOf(EMAIL, 'wrong'));
      assert.equal((await post(port, '/app/handshake2', wrongProof, { Cookie: cookie })).status, 403);
    });

    it('answers 403 to handshake 1 while third-party compatibility is off', async () => {
      const { port } = await startSim({ thirdPartyCompatibility: false });
      assert.equal((await post(port, '/app/handshake1', crypto.randomBytes(16))).status, 403);
    });

    it('answers 1003 to component_nego and the passthrough methods on /app', async () => {
      const { port } = await startSim();
      for (const method of ['component_nego', 'handshake', 'securePassthrough']) {
        const res = await post(port, '/app', JSON.stringify({ method, params: {} }), { 'Content-Type': 'application/json' });
        assert.equal(res.status, 200);
        assert.deepEqual(JSON.parse(res.body.toString('utf8')), { error_code: 1003 });
      }
    });

    it('a P100 has no energy methods', async () => {
      const { port } = await startSim({ model: 'P100' });
      const peer = await KlapPeer.connect(port, EMAIL, PASSWORD);
      assert.equal(ok(await peer.call('get_device_info')).model, 'P100');
      assert.equal(errorCode(await peer.call('get_energy_usage', {})), -1002);
      assert.equal(errorCode(await peer.call('get_current_power', {})), -1002);
    });
  });

  describe('securePassthrough', () => {
    it('logs in and runs device methods with the token', async () => {
      const { sim, port } = await startSim({ transport: 'passthrough', powerMw: 1500 });
      const peer = await PassthroughPeer.connect(port);

      assert.equal(errorCode(await peer.call('get_device_info')), 9999, 'no login yet');
      assert.equal(errorCode(await peer.login(EMAIL, 'wrong')), -1501);
      assert.equal(errorCode(await peer.login('someone@example.com', PASSWORD)), -1501);
      ok(await peer.login(EMAIL, PASSWORD));
      assert.ok(peer.token);

      const info = ok(await peer.call('get_device_info'));
      assert.equal(info.model, 'P110');
      assert.equal(info.device_on, true);
      assert.equal(errorCode(await peer.send({ method: 'get_device_info', params: {} }, 'WRONGTOKEN').then((r) => r.inner ?? r.outer)), 9999);

      assert.deepEqual(ok(await peer.call('set_device_info', { device_on: false })), {});
      assert.equal(sim.deviceOn, false);
      assert.equal(sim.mutatingCalls.length, 1);
      sim.setDeviceOn(true);
      assert.equal(ok(await peer.call('get_energy_usage')).current_power, 1500);
      assert.equal(ok(await peer.call('get_current_power')).current_power, 2);

      sim.failNext(-1301);
      assert.equal(errorCode(await peer.call('get_device_info')), -1301);
      ok(await peer.call('get_device_info'));

      sim.expireSessions();
      assert.deepEqual(await peer.send({ method: 'get_device_info', params: {} }), { outer: 9999 });
    });

    it('accepts login v2 (password2)', async () => {
      const { port } = await startSim({ transport: 'passthrough' });
      const peer = await PassthroughPeer.connect(port);
      ok(await peer.login(EMAIL, PASSWORD, true));
      ok(await peer.call('get_device_info'));
    });

    it('answers component_nego, refuses a bad key, and has no KLAP endpoints', async () => {
      const { port } = await startSim({ transport: 'passthrough' });
      const nego = JSON.parse((await post(port, '/app', '{"method":"component_nego"}')).body.toString('utf8')) as InnerReply;
      assert.equal(nego.error_code, 0);
      assert.ok(Array.isArray(nego.result?.component_list));
      const bad = await post(port, '/app', JSON.stringify({ method: 'handshake', params: { key: 'not a key' } }));
      assert.equal((JSON.parse(bad.body.toString('utf8')) as InnerReply).error_code, -1010);
      assert.equal((await post(port, '/app/handshake1', crypto.randomBytes(16))).status, 404);
      const noSession = await post(port, '/app', JSON.stringify({ method: 'securePassthrough', params: { request: 'AAAA' } }));
      assert.equal((JSON.parse(noSession.body.toString('utf8')) as InnerReply).error_code, 9999);
    });
  });

  describe('walnut sim tapo', () => {
    it('serves a KLAP plug, prints where and the credentials, and stops on request', async () => {
      const lines: string[] = [];
      const stop = new AbortController();
      let listening!: (port: number) => void;
      const port = new Promise<number>((resolve) => (listening = resolve));
      const print = (line: string): void => {
        lines.push(line);
        const match = /^Tapo simulator listening on http:\/\/127\.0\.0\.1:(\d+)$/.exec(line);
        if (match) listening(Number(match[1]));
      };
      const done = simTapoCommand({ port: '0' }, { stop: stop.signal, print });
      try {
        const peer = await KlapPeer.connect(await port, EMAIL, PASSWORD);
        ok(await peer.call('get_device_info'));
        assert.ok(lines.some((line) => line.includes('user@example.com / secret')), lines.join('\n'));
      } finally {
        stop.abort();
        await done;
      }
    });

    it('rejects a bad port or transport before listening', async () => {
      await assert.rejects(simTapoCommand({ port: 'http' }, { print: () => undefined }), UsageError);
      await assert.rejects(simTapoCommand({ port: '70000' }, { print: () => undefined }), UsageError);
      await assert.rejects(simTapoCommand({ port: '0', transport: 'aes' }, { print: () => undefined }), UsageError);
    });
  });
});
