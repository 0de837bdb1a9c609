import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { simShellyCommand } from '../../../src/cli/sim-shelly-command';
import { UsageError } from '../../../src/errors';
import { ShellySimulator, type ShellySimulatorOptions } from '../../../src/shelly/simulator';

// Everything protocol-side here is computed from PROTOCOLS.md §4, independently of the simulator's code.

const GEN2_ID = 'shellyplusplugs-aabbccddeeff';
const PASSWORD = 'plug-secret';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  reusedSocket: boolean;
  socket: Socket;
}

interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  agent?: http.Agent;
}

function send(port: number, path: string, options: RequestOptions = {}): Promise<Reply> {
  const payload = options.body === undefined ? undefined : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    let socket: Socket | undefined;
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
        headers: { ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }), ...options.headers },
        agent: options.agent ?? false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            reusedSocket: request.reusedSocket,
            // the agent takes the socket back once the body is read, so it is caught on assignment
            socket: socket as Socket,
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('socket', (assigned) => (socket = assigned));
    request.on('error', reject);
    request.end(payload);
  });
}

function json(reply: Reply): Record<string, unknown> {
  return JSON.parse(reply.text) as Record<string, unknown>;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function basic(user: string, password: string): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/** The challenge's fields: split on commas, then on the FIRST '=' only, quotes stripped. */
function challenge(reply: Reply): Map<string, string> {
  const header = reply.headers['www-authenticate'];
  assert.equal(typeof header, 'string', `no WWW-Authenticate on a ${reply.status}`);
  const text = (header as string).replace(/^Digest\s+/, '');
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return fields;
}

function nonceOf(reply: Reply): string {
  assert.equal(reply.status, 401, reply.text);
  const nonce = challenge(reply).get('nonce');
  assert.ok(nonce !== undefined && nonce.length > 0);
  return nonce;
}

const hex8 = (nc: number): string => nc.toString(16).padStart(8, '0');

/** RFC 7616 header form: HA1 = SHA256(admin:realm:password), HA2 = SHA256(METHOD:uri). */
function digestHeader(method: string, uri: string, nonce: string, nc: number, password = PASSWORD, realm = GEN2_ID): Record<string, string> {
  const cnonce = randomBytes(8).toString('hex');
  const ha1 = sha256(`admin:${realm}:${password}`);
  const ha2 = sha256(`${method}:${uri}`);
  const response = sha256(`${ha1}:${nonce}:${hex8(nc)}:${cnonce}:auth:${ha2}`);
  return {
    Authorization:
      `Digest username="admin", realm="${realm}", nonce="${nonce}", uri="${uri}", algorithm=SHA-256, ` +
      `qop=auth, nc=${hex8(nc)}, cnonce="${cnonce}", response="${response}"`,
  };
}

/** In-body form: HA2 = SHA256("dummy_method:dummy_uri"), nc hashed as "1". */
function bodyAuth(nonce: string, password = PASSWORD): Record<string, string> {
  const cnonce = randomBytes(8).toString('hex');
  const ha1 = sha256(`admin:${GEN2_ID}:${password}`);
  const ha2 = sha256('dummy_method:dummy_uri');
  return { realm: GEN2_ID, username: 'admin', nonce, cnonce, response: sha256(`${ha1}:${nonce}:1:${cnonce}:auth:${ha2}`), algorithm: 'SHA-256' };
}

/** A clock the test moves by hand. */
class Clock {
  t = 1_700_000_000_000;
  readonly now = (): number => this.t;
}

describe('Shelly simulator', () => {
  let sim: ShellySimulator | undefined;
  let port: number;

  async function startSim(options: ShellySimulatorOptions): Promise<ShellySimulator> {
    sim = new ShellySimulator(options);
    port = (await sim.start()).port;
    return sim;
  }

  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  describe('Gen1', () => {
    it('describes itself on /shelly, reports status and turns the relay without auth', async () => {
      const s = await startSim({ gen: 1 });
      const info = json(await send(port, '/shelly'));
      assert.equal(info.type, 'SHPLG-S');
      assert.equal(info.auth, false);
      assert.equal(info.num_outputs, 1);
      assert.equal('gen' in info, false);

      const status = json(await send(port, '/status'));
      assert.deepEqual(status.relays, [{ ison: true, has_timer: false, timer_remaining: 0, overpower: false, source: 'http' }]);
      assert.equal((status.meters as Array<{ power: number }>)[0]?.power, 42.5);

      assert.deepEqual(json(await send(port, '/relay/0?turn=off')), { ison: false, has_timer: false, timer_remaining: 0, overpower: false, source: 'http' });
      assert.equal(s.isOn(), false);
      assert.equal((json(await send(port, '/status')).meters as Array<{ power: number }>)[0]?.power, 0);
      assert.equal(json(await send(port, '/relay/0?turn=on')).ison, true);
      assert.equal(json(await send(port, '/relay/0?turn=toggle')).ison, false);
      assert.equal(json(await send(port, '/relay/0')).ison, false);
      assert.deepEqual(s.mutatingCalls.map((c) => [c.channel, c.on]), [[0, false], [0, true], [0, false]]);

      assert.equal((await send(port, '/relay/1?turn=on')).status, 404);
      assert.equal((await send(port, '/relay/0?turn=maybe')).status, 400);
      assert.equal((await send(port, '/nowhere')).status, 404);
      assert.equal(s.mutatingCalls.length, 3);
    });

    it('with a password, wants HTTP Basic admin:<password> everywhere but /shelly', async () => {
      const s = await startSim({ gen: 1, password: PASSWORD });
      const info = await send(port, '/shelly');
      assert.equal(info.status, 200);
      assert.equal(json(info).auth, true);

      const denied = await send(port, '/relay/0?turn=off');
      assert.equal(denied.status, 401);
      assert.equal(denied.headers['www-authenticate'], 'Basic realm="shellyplug-s-AABBCC"');
      assert.equal((await send(port, '/status', { headers: basic('admin', 'wrong') })).status, 401);
      assert.equal((await send(port, '/status', { headers: basic('user', PASSWORD) })).status, 401);
      assert.equal(s.isOn(), true);
      assert.equal(s.mutatingCalls.length, 0);

      assert.equal(json(await send(port, '/relay/0?turn=off', { headers: basic('admin', PASSWORD) })).ison, false);
      assert.equal(s.isOn(), false);
      assert.equal((await send(port, '/status', { headers: basic('admin', PASSWORD) })).status, 200);
      assert.equal(s.stats.unauthorized, 3);
      assert.equal(s.stats.requests, 6);
    });
  });

  describe('Gen2 without auth', () => {
    it('describes itself on /shelly with gen and auth_en', async () => {
      await startSim({ gen: 2 });
      assert.deepEqual(json(await send(port, '/shelly')), {
        id: GEN2_ID,
        mac: 'AABBCCDDEEFF',
        model: 'SNPL-00112EU',
        gen: 2,
        fw_id: '20241011-114455/1.4.4-g6d2a586',
        ver: '1.4.4',
        app: 'PlugS',
        auth_en: false,
        auth_domain: null,
      });
    });

    it('answers the GET form with the bare result', async () => {
      const s = await startSim({ gen: 2 });
      const status = json(await send(port, '/rpc/Switch.GetStatus?id=0'));
      assert.deepEqual(status, {
        id: 0,
        source: 'init',
        output: true,
        apower: 42.5,
        voltage: 230.1,
        current: 0.185,
        freq: 50,
        aenergy: { total: 0 },
        temperature: { tC: 38.2 },
      });
      assert.deepEqual(json(await send(port, '/rpc/Switch.Set?id=0&on=false')), { was_on: true });
      const after = json(await send(port, '/rpc/Switch.GetStatus?id=0'));
      assert.equal(after.output, false);
      assert.equal(after.apower, 0);
      assert.equal(after.source, 'HTTP_in');
      assert.deepEqual(json(await send(port, '/rpc/Switch.Toggle?id=0')), { was_on: false });
      assert.equal(s.isOn(0), true);
      assert.equal(json(await send(port, '/rpc/Shelly.GetDeviceInfo')).id, GEN2_ID);
    });

    it('answers the POST form with an envelope addressed back to src', async () => {
      const s = await startSim({ gen: 2 });
      const set = await send(port, '/rpc', { body: { id: 7, src: 'walnut-test', method: 'Switch.Set', params: { id: 0, on: false } } });
      assert.equal(set.status, 200);
      assert.deepEqual(json(set), { id: 7, src: GEN2_ID, dst: 'walnut-test', result: { was_on: true } });
      const status = json(await send(port, '/rpc', { body: { id: 8, src: 'walnut-test', method: 'Switch.GetStatus', params: { id: 0 } } }));
      assert.equal((status.result as { output: boolean }).output, false);
      assert.equal(s.isOn(), false);
    });

    it('records state-changing calls only, not reads or setOn', async () => {
      const clock = new Clock();
      const s = await startSim({ gen: 2, channels: 2, now: clock.now });
      await send(port, '/shelly');
      await send(port, '/rpc/Switch.GetStatus?id=1');
      await send(port, '/rpc', { body: { id: 1, src: 't', method: 'Shelly.GetDeviceInfo' } });
      s.setOn(1, false);
      assert.deepEqual(s.mutatingCalls, []);
      clock.t += 5;
      await send(port, '/rpc/Switch.Set?id=1&on=true');
      await send(port, '/rpc', { body: { id: 2, src: 't', method: 'Switch.Toggle', params: { id: 0 } } });
      assert.deepEqual(s.mutatingCalls, [
        { channel: 1, on: true, at: clock.t },
        { channel: 0, on: false, at: clock.t },
      ]);
      // a failed Set changes nothing and is not recorded
      await send(port, '/rpc/Switch.Set?id=5&on=true');
      assert.equal(s.mutatingCalls.length, 2);
    });

    it('answers -103 for bad or missing arguments and -105 for unknown channels or methods', async () => {
      await startSim({ gen: 2, channels: 2 });
      const post = async (method: string, params?: unknown): Promise<{ code: number }> => {
        const reply = await send(port, '/rpc', { body: { id: 1, src: 't', method, params } });
        assert.equal(reply.status, 200);
        const body = json(reply);
        assert.equal('result' in body, false, reply.text);
        return body.error as { code: number };
      };
      assert.equal((await post('Switch.GetStatus', {})).code, -103);
      assert.equal((await post('Switch.GetStatus', { id: 'zero' })).code, -103);
      assert.equal((await post('Switch.Set', { id: 0 })).code, -103);
      assert.equal((await post('Switch.Set', { id: 0, on: 'false' })).code, -103);
      assert.equal((await post('Switch.GetStatus', { id: 2 })).code, -105);
      assert.equal((await post('Switch.Jump', { id: 0 })).code, -105);
      assert.equal((json(await send(port, '/rpc', { body: { id: 1, src: 't', method: 'Switch.GetStatus', params: { id: 1 } } })).result as { id: number }).id, 1);

      const bad = await send(port, '/rpc/Switch.Set?id=abc&on=true');
      assert.equal(bad.status, 400);
      assert.equal(json(bad).code, -103);
      const missing = await send(port, '/rpc/Switch.GetStatus?id=9');
      assert.equal(missing.status, 404);
      assert.equal(json(missing).code, -105);
      assert.equal(json(await send(port, '/rpc/No.Such')).code, -105);
    });

    it('keeps connections alive, and stop() closes idle ones', async () => {
      await startSim({ gen: 2 });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const first = await send(port, '/shelly', { agent });
        const second = await send(port, '/rpc/Switch.GetStatus?id=0', { agent });
        assert.equal(first.reusedSocket, false);
        assert.equal(second.reusedSocket, true);
        const closed = new Promise<void>((resolve) => second.socket.once('close', () => resolve()));
        await sim?.stop();
        await closed;
      } finally {
        agent.destroy();
      }
    });
  });

  describe('Gen2 digest auth', () => {
    it('challenges with an opaque nonce and accepts the header form with rising nc on one nonce', async () => {
      const s = await startSim({ gen: 2, password: PASSWORD });
      assert.equal(json(await send(port, '/shelly')).auth_en, true);
      assert.equal(json(await send(port, '/shelly')).auth_domain, GEN2_ID);

      const first = await send(port, '/rpc/Switch.Set?id=0&on=false');
      assert.match(first.headers['www-authenticate'] ?? '', /^Digest qop="auth", realm="shellyplusplugs-aabbccddeeff", nonce="[^"]+", algorithm=SHA-256$/);
      const fields = challenge(first);
      assert.equal(fields.get('realm'), GEN2_ID);
      assert.equal(fields.get('algorithm'), 'SHA-256');
      const nonce = nonceOf(first);
      assert.match(nonce, /^[A-Za-z0-9+/]+=+$/, 'opaque nonces are base64 ending in =');
      assert.equal(s.isOn(), true);

      const uri = '/rpc/Switch.Set?id=0&on=false';
      const ok = await send(port, uri, { headers: digestHeader('GET', uri, nonce, 1) });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(json(ok), { was_on: true });
      const post = await send(port, '/rpc', {
        headers: digestHeader('POST', '/rpc', nonce, 2),
        body: { id: 3, src: 't', method: 'Switch.GetStatus', params: { id: 0 } },
      });
      assert.equal(post.status, 200, post.text);
      assert.equal((json(post).result as { output: boolean }).output, false);
      const skipped = await send(port, '/rpc/Shelly.GetDeviceInfo', { headers: digestHeader('GET', '/rpc/Shelly.GetDeviceInfo', nonce, 9) });
      assert.equal(skipped.status, 200, 'nc may jump ahead');
      assert.equal(s.stats.unauthorized, 1);
      assert.equal(s.stats.stale, 0);
    });

    it('accepts the header form with old-firmware numeric nonces', async () => {
      await startSim({ gen: 2, password: PASSWORD, nonceStyle: 'numeric' });
      const nonce = nonceOf(await send(port, '/rpc/Switch.GetStatus?id=0'));
      assert.match(nonce, /^\d+$/);
      const uri = '/rpc/Switch.GetStatus?id=0';
      const ok = await send(port, uri, { headers: digestHeader('GET', uri, nonce, 1) });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(json(ok).output, true);
      // two challenges in a row still get different nonces
      assert.notEqual(nonceOf(await send(port, uri)), nonce);
    });

    it('refuses a wrong password, user, realm or uri without saying stale', async () => {
      const s = await startSim({ gen: 2, password: PASSWORD });
      const uri = '/rpc/Switch.Set?id=0&on=false';
      const nonce = nonceOf(await send(port, uri));
      for (const headers of [
        digestHeader('GET', uri, nonce, 1, 'wrong'),
        digestHeader('GET', uri, nonce, 2, PASSWORD, 'other-realm'),
        digestHeader('GET', '/rpc/Switch.Set?id=0&on=true', nonce, 3),
        { Authorization: digestHeader('GET', uri, nonce, 4).Authorization!.replace('username="admin"', 'username="root"') },
      ]) {
        const reply = await send(port, uri, { headers });
        assert.equal(reply.status, 401);
        assert.equal(challenge(reply).has('stale'), false);
      }
      assert.equal(s.isOn(), true);
      assert.equal(s.mutatingCalls.length, 0);
      assert.equal(s.stats.stale, 0);
      // the failures spent nothing: nc 1 is still fresh on that nonce
      assert.equal((await send(port, uri, { headers: digestHeader('GET', uri, nonce, 1) })).status, 200);
    });

    it('accepts the in-body auth form on POST /rpc', async () => {
      const s = await startSim({ gen: 2, password: PASSWORD });
      const denied = await send(port, '/rpc', { body: { id: 1, src: 't', method: 'Switch.Set', params: { id: 0, on: false } } });
      const nonce = nonceOf(denied);
      assert.equal((json(denied).error as { code: number }).code, 401);

      const wrong = await send(port, '/rpc', { body: { id: 2, src: 't', method: 'Switch.Set', params: { id: 0, on: false }, auth: bodyAuth(nonce, 'wrong') } });
      assert.equal(wrong.status, 401);
      assert.equal(s.isOn(), true);

      const ok = await send(port, '/rpc', { body: { id: 3, src: 't', method: 'Switch.Set', params: { id: 0, on: false }, auth: bodyAuth(nonce) } });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(json(ok), { id: 3, src: GEN2_ID, dst: 't', result: { was_on: true } });
      assert.equal(s.isOn(), false);
    });

    it('refuses a replayed or lower nc with a fresh challenge, not stale', async () => {
      const s = await startSim({ gen: 2, password: PASSWORD });
      const uri = '/rpc/Switch.GetStatus?id=0';
      const nonce = nonceOf(await send(port, uri));
      assert.equal((await send(port, uri, { headers: digestHeader('GET', uri, nonce, 5) })).status, 200);
      for (const nc of [5, 4]) {
        const replay = await send(port, uri, { headers: digestHeader('GET', uri, nonce, nc) });
        assert.equal(replay.status, 401);
        assert.equal(challenge(replay).has('stale'), false);
        assert.notEqual(nonceOf(replay), nonce);
      }
      assert.equal(s.stats.stale, 0);
      assert.equal((await send(port, uri, { headers: digestHeader('GET', uri, nonce, 6) })).status, 200);
    });

    it('answers stale=true after expireNonces, and the new nonce works', async () => {
      const s = await startSim({ gen: 2, password: PASSWORD });
      const uri = '/rpc/Switch.GetStatus?id=0';
      const nonce = nonceOf(await send(port, uri));
      assert.equal((await send(port, uri, { headers: digestHeader('GET', uri, nonce, 1) })).status, 200);
      s.expireNonces();
      const stale = await send(port, uri, { headers: digestHeader('GET', uri, nonce, 2) });
      assert.equal(stale.status, 401);
      assert.match(stale.headers['www-authenticate'] ?? '', /, stale=true$/);
      assert.equal(challenge(stale).get('stale'), 'true');
      assert.equal(s.stats.stale, 1);
      const fresh = nonceOf(stale);
      assert.notEqual(fresh, nonce);
      assert.equal((await send(port, uri, { headers: digestHeader('GET', uri, fresh, 1) })).status, 200);
      // a wrong password on the expired nonce is just unauthorized
      const wrong = await send(port, uri, { headers: digestHeader('GET', uri, nonce, 3, 'wrong') });
      assert.equal(challenge(wrong).has('stale'), false);
      assert.deepEqual({ unauthorized: s.stats.unauthorized, stale: s.stats.stale }, { unauthorized: 3, stale: 1 });
    });

    it('goes stale after nonceMaxUses uses, in either form', async () => {
      const s = await startSim({ gen: 2, password: PASSWORD, nonceMaxUses: 2 });
      const uri = '/rpc/Switch.GetStatus?id=0';
      const nonce = nonceOf(await send(port, uri));
      assert.equal((await send(port, uri, { headers: digestHeader('GET', uri, nonce, 1) })).status, 200);
      assert.equal((await send(port, uri, { headers: digestHeader('GET', uri, nonce, 2) })).status, 200);
      const third = await send(port, uri, { headers: digestHeader('GET', uri, nonce, 3) });
      assert.equal(challenge(third).get('stale'), 'true');

      const next = nonceOf(third);
      const call = (auth: Record<string, string>): Promise<Reply> => send(port, '/rpc', { body: { id: 1, src: 't', method: 'Switch.GetStatus', params: { id: 0 }, auth } });
      assert.equal((await call(bodyAuth(next))).status, 200);
      assert.equal((await call(bodyAuth(next))).status, 200);
      assert.equal(challenge(await call(bodyAuth(next))).get('stale'), 'true');
      assert.equal(s.stats.stale, 2);
    });

    it('goes stale after nonceTtlMs on the given clock', async () => {
      const clock = new Clock();
      await startSim({ gen: 2, password: PASSWORD, nonceTtlMs: 60_000, now: clock.now });
      const uri = '/rpc/Switch.GetStatus?id=0';
      const nonce = nonceOf(await send(port, uri));
      clock.t += 59_999;
      assert.equal((await send(port, uri, { headers: digestHeader('GET', uri, nonce, 1) })).status, 200);
      clock.t += 1;
      assert.equal(challenge(await send(port, uri, { headers: digestHeader('GET', uri, nonce, 2) })).get('stale'), 'true');
    });

    it('answers 429 when every nonce slot was filled less than a second ago', async () => {
      const clock = new Clock();
      const s = await startSim({ gen: 2, password: PASSWORD, nonceSlots: 2, now: clock.now });
      const uri = '/rpc/Switch.GetStatus?id=0';
      const a = nonceOf(await send(port, uri));
      clock.t += 10;
      const b = nonceOf(await send(port, uri));
      const refused = await send(port, uri);
      assert.equal(refused.status, 429);
      assert.equal(refused.headers['retry-after'], '1');
      assert.equal(refused.headers['www-authenticate'], undefined);
      assert.equal(s.stats.tooMany, 1);
      // the nonces already out still work
      assert.equal((await send(port, uri, { headers: digestHeader('GET', uri, a, 1) })).status, 200);
      assert.equal((await send(port, uri, { headers: digestHeader('GET', uri, b, 1) })).status, 200);

      // a second after the oldest was issued, a new challenge takes its slot
      clock.t += 990;
      const c = nonceOf(await send(port, uri));
      assert.notEqual(c, a);
      // a is evicted; its re-challenge needs a slot too, and b and c are younger than a second
      const busy = await send(port, uri, { headers: digestHeader('GET', uri, a, 2) });
      assert.equal(busy.status, 429);
      assert.equal(s.stats.tooMany, 2);
      clock.t += 10;
      assert.equal(challenge(await send(port, uri, { headers: digestHeader('GET', uri, a, 3) })).get('stale'), 'true', 'the evicted nonce is stale');
      assert.equal((await send(port, uri, { headers: digestHeader('GET', uri, c, 1) })).status, 200);
    });
  });

  describe('walnut sim shelly', () => {
    it('serves a Gen2 plug with auth, prints where it listens, and stops on request', async () => {
      const lines: string[] = [];
      const stop = new AbortController();
      let listening!: (port: number) => void;
      const bound = new Promise<number>((resolve) => (listening = resolve));
      const print = (line: string): void => {
        lines.push(line);
        const match = /^Shelly Gen2 simulator listening on 127\.0\.0\.1:(\d+)$/.exec(line);
        if (match) listening(Number(match[1]));
      };
      const running = simShellyCommand({ port: '0', password: PASSWORD }, { stop: stop.signal, print });
      try {
        const p = await bound;
        assert.equal(json(await send(p, '/shelly')).auth_en, true);
        assert.equal((await send(p, '/rpc/Switch.GetStatus?id=0')).status, 401);
        assert.equal(lines.some((line) => line.includes(PASSWORD)), false, 'the password is not echoed');
      } finally {
        stop.abort();
        await running;
      }
    });

    it('serves Gen1 on request and rejects bad options before listening', async () => {
      const stop = new AbortController();
      let listening!: (port: number) => void;
      const bound = new Promise<number>((resolve) => (listening = resolve));
      const print = (line: string): void => {
        const match = /^Shelly Gen1 simulator listening on 127\.0\.0\.1:(\d+)$/.exec(line);
        if (match) listening(Number(match[1]));
      };
      const running = simShellyCommand({ port: '0', gen: '1' }, { stop: stop.signal, print });
      try {
        assert.equal(json(await send(await bound, '/shelly')).type, 'SHPLG-S');
      } finally {
        stop.abort();
        await running;
      }
      const quiet = { print: (): void => undefined };
      await assert.rejects(simShellyCommand({ port: 'http' }, quiet), UsageError);
      await assert.rejects(simShellyCommand({ port: '70000' }, quiet), UsageError);
      await assert.rejects(simShellyCommand({ port: '0', gen: '3' }, quiet), UsageError);
      await assert.rejects(simShellyCommand({ port: '0', password: '' }, quiet), UsageError);
    });
  });
});
