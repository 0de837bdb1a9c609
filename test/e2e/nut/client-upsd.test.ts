import { strict as assert } from 'node:assert';
import { NutAuthError, NutConnectionError, NutProtocolError } from '../../../src/errors';
import { NutClient } from '../../../src/nut/client';
import { DEFAULT_DEVICE, freePort, type RealUpsd, startRealUpsd, upsc } from '../../helpers/upsd';

describe('NUT client against a real upsd (Debian nut-server, dummy-ups)', function () {
  this.timeout(60_000);
  let upsd: RealUpsd;
  let client: NutClient;
  const open: NutClient[] = [];
  const connect = async (): Promise<NutClient> => {
    const c = await NutClient.connect({ host: upsd.host, port: upsd.port, timeoutMs: 3000 });
    open.push(c);
    return c;
  };

  before(async () => {
    upsd = await startRealUpsd();
  });
  beforeEach(async () => {
    client = await connect();
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });
  after(async () => {
    await upsd.stop();
  });

  it('VER, NETVER, PROTVER, HELP', async () => {
    assert.match(await client.ver(), /^Network UPS Tools upsd 2\.8\.0/);
    assert.equal(await client.netver(), '1.3');
    assert.equal(await client.protver(), '1.3');
    assert.match(await client.help(), /^Commands: HELP VER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS/);
  });

  it('LIST UPS unescapes \\ " and # in the description', async () => {
    assert.deepEqual(await client.listUps(), [{ name: 'dummy', description: 'Test "UPS" #1' }]);
    assert.equal(await client.getUpsDesc('dummy'), 'Test "UPS" #1');
  });

  it('LIST VAR returns every variable, as upsc reads them', async () => {
    const vars = await client.listVar('dummy');
    for (const [name, value] of Object.entries(DEFAULT_DEVICE)) assert.equal(vars[name], value, name);
    assert.equal(vars['battery.charge'], upsc(`dummy@127.0.0.1:${upsd.port}`, 'battery.charge'));
  });

  it('GET VAR, TYPE, DESC, CMDDESC, NUMLOGINS and the server.* variables', async () => {
    assert.equal(await client.getVar('dummy', 'ups.status'), 'OL');
    assert.match(await client.getVar('dummy', 'server.version'), /^2\.8\.0/);
    const type = await client.getType('dummy', 'battery.charge');
    assert.equal(type.rw, true, 'dummy-ups marks file variables RW');
    assert.notEqual(type.kind, 'UNKNOWN');
    assert.equal(typeof (await client.getDesc('dummy', 'battery.charge')), 'string');
    assert.equal(await client.getCmdDesc('dummy', 'load.off'), 'Turn off the load immediately');
    assert.equal(await client.getNumLogins('dummy'), 0);
  });

  it('LIST RW, CMD, ENUM, RANGE and CLIENT', async () => {
    const rw = await client.listRw('dummy');
    assert.equal(rw['battery.charge'], '100');
    assert.deepEqual(await client.listCmd('dummy'), ['load.off']);
    assert.deepEqual(await client.listEnum('dummy', 'battery.charge'), []);
    assert.deepEqual(await client.listRange('dummy', 'battery.charge'), []);
    assert.deepEqual(await client.listClient('dummy'), []);
  });

  it('keeps ERR codes: UNKNOWN-UPS, VAR-NOT-SUPPORTED, INVALID-ARGUMENT, UNKNOWN-COMMAND', async () => {
    await assert.rejects(client.getVar('nosuch', 'ups.status'), (e: unknown) => e instanceof NutProtocolError && e.nutCode === 'UNKNOWN-UPS');
    await assert.rejects(client.getVar('dummy', 'no.such.var'), (e: unknown) => e instanceof NutProtocolError && e.nutCode === 'VAR-NOT-SUPPORTED');
    await assert.rejects(client.listEnum('dummy', 'no.such.var'), NutProtocolError);
    // A wrong argument count, sent through the client's own framing.
    await assert.rejects((client as unknown as { single(words: string[]): Promise<string> }).single(['GET', 'VAR']), (e: unknown) => e instanceof NutProtocolError && e.nutCode === 'INVALID-ARGUMENT');
    await assert.rejects((client as unknown as { single(words: string[]): Promise<string> }).single(['FROB']), (e: unknown) => e instanceof NutProtocolError && e.nutCode === 'UNKNOWN-COMMAND');
    assert.equal(await client.ver() !== '', true, 'the connection survives ERR replies');
  });

  it('pipelines many requests on one connection and matches every reply', async () => {
    const names = Object.keys(DEFAULT_DEVICE);
    const values = await Promise.all(names.map((name) => client.getVar('dummy', name)));
    assert.deepEqual(values, names.map((name) => DEFAULT_DEVICE[name]));
  });

  it('USERNAME/PASSWORD with # and a space, LOGIN, NUMLOGINS, LIST CLIENT, LOGOUT', async () => {
    await client.username('monuser');
    await client.password('se#cret pw');
    await client.login('dummy');
    const observer = await connect();
    assert.equal(await observer.getNumLogins('dummy'), 1);
    assert.deepEqual(await observer.listClient('dummy'), ['127.0.0.1']);
    await assert.rejects(client.login('dummy'), (e: unknown) => e instanceof NutProtocolError && e.nutCode === 'ALREADY-LOGGED-IN');
    await assert.rejects(client.username('again'), (e: unknown) => e instanceof NutAuthError && e.nutCode === 'ALREADY-SET-USERNAME');
    await client.logout();
    assert.equal(client.closed, true);
    assert.equal(await observer.getNumLogins('dummy'), 0);
  });

  it('a password with a backslash, quotes and # is escaped so upsd reads it exactly', async () => {
    await client.username('bsuser');
    await client.password('back\\slash "quoted" #hash');
    await client.login('dummy');
  });

  it('a wrong password shows at LOGIN as ACCESS-DENIED, typed, with no password in the message', async () => {
    await client.username('monuser');
    await client.password('not-the-password');
    await assert.rejects(client.login('dummy'), (e: unknown) => {
      assert.ok(e instanceof NutAuthError);
      assert.equal(e.nutCode, 'ACCESS-DENIED');
      assert.doesNotMatch(e.message, /not-the-password/);
      return true;
    });
  });

  it('privileged commands without credentials: USERNAME-REQUIRED, then PASSWORD-REQUIRED', async () => {
    await assert.rejects(client.login('dummy'), (e: unknown) => e instanceof NutAuthError && e.nutCode === 'USERNAME-REQUIRED');
    await client.username('admin');
    await assert.rejects(client.instcmd('dummy', 'load.off'), (e: unknown) => e instanceof NutAuthError && e.nutCode === 'PASSWORD-REQUIRED');
  });

  it('a user without an upsmon role cannot LOGIN', async () => {
    await client.username('setonly');
    await client.password('setpw');
    await assert.rejects(client.login('dummy'), (e: unknown) => e instanceof NutAuthError && e.nutCode === 'ACCESS-DENIED');
  });

  it('SET VAR with quoting, SET TRACKING, GET TRACKING, INSTCMD', async () => {
    await client.username('admin');
    await client.password('adminpw');
    assert.deepEqual(await client.setVar('dummy', 'ups.load', '24'), {});
    await client.setTracking(true);
    const tracked = await client.instcmd('dummy', 'load.off');
    assert.match(tracked.tracking ?? '', /^[0-9a-f-]{36}$/i);
    const state = await client.getTracking(tracked.tracking ?? '');
    assert.ok(state === 'PENDING' || state === 'SUCCESS');
    await assert.rejects(client.instcmd('dummy', 'no.such.cmd'), (e: unknown) => e instanceof NutProtocolError && e.nutCode === 'CMD-NOT-SUPPORTED');
    await client.setTracking(false);
    await assert.rejects(client.setVar('dummy', 'no.such.var', 'a "quoted" #value'), (e: unknown) => e instanceof NutProtocolError && e.nutCode === 'VAR-NOT-SUPPORTED');
  });

  it('STARTTLS on a server without certificates is FEATURE-NOT-CONFIGURED', async () => {
    await assert.rejects(client.startTls(), (e: unknown) => e instanceof NutProtocolError && e.nutCode === 'FEATURE-NOT-CONFIGURED');
  });

  it('refuses to send what upsd would mangle (non-ASCII, newlines)', async () => {
    await assert.rejects(client.setVar('dummy', 'ups.id', 'naïve'), (e: unknown) => e instanceof NutProtocolError && e.nutCode === 'INVALID-ARGUMENT');
    await assert.rejects(client.password('two\nlines'), NutProtocolError);
    assert.match(await client.ver(), /upsd/, 'nothing was sent');
  });

  it('a closed port is a NutConnectionError that says what to check', async () => {
    const port = await freePort();
    await assert.rejects(NutClient.connect({ host: '127.0.0.1', port }), (e: unknown) => e instanceof NutConnectionError && /ECONNREFUSED.*is upsd running/.test(e.message));
  });
});

describe('NUT client: PRIMARY and FSD against their own upsd (FSD latches until upsd restarts)', function () {
  this.timeout(60_000);
  let upsd: RealUpsd;
  before(async () => {
    upsd = await startRealUpsd();
  });
  after(async () => {
    await upsd.stop();
  });

  it('PRIMARY then FSD; ups.status then reads FSD …', async () => {
    const client = await NutClient.connect({ host: upsd.host, port: upsd.port });
    try {
      await client.username('admin');
      await client.password('adminpw');
      await client.primary('dummy');
      await client.fsd('dummy');
      assert.match(await client.getVar('dummy', 'ups.status'), /^FSD /);
    } finally {
      client.close();
    }
  });

  it('a secondary is not granted PRIMARY', async () => {
    const client = await NutClient.connect({ host: upsd.host, port: upsd.port });
    try {
      await client.username('monuser');
      await client.password('se#cret pw');
      await assert.rejects(client.primary('dummy'), (e: unknown) => e instanceof NutAuthError && e.nutCode === 'ACCESS-DENIED');
      await assert.rejects(client.master('dummy'), (e: unknown) => e instanceof NutAuthError && e.nutCode === 'ACCESS-DENIED');
    } finally {
      client.close();
    }
  });
});
