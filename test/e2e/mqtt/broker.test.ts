/**
 * The embedded broker on its own, with real mqtt clients: logins, the ACL,
 * the TLS and WebSocket listeners, the hub connection's last will, and
 * retained messages kept in a real encrypted store across a restart.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import mqtt from 'mqtt';
import { HubStartError } from '../../../src/errors';
import { silentLogger } from '../../../src/logger';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../../src/mqtt/broker';
import { connectHub } from '../../../src/mqtt/connection';
import { ensureBrokerAccounts, HOME_ASSISTANT_USER, HUB_USER } from '../../../src/mqtt/credentials';
import { RetainedStore } from '../../../src/mqtt/retained-store';
import { Topics } from '../../../src/mqtt/topics';
import { ensureSite } from '../../../src/store/sites';
import { recordTopics } from '../../helpers/mqtt';
import { openTestStore, type TestStore } from '../../helpers/store';
import { tempDir } from '../../helpers/temp';

const logger = silentLogger();
const topics = new Topics('walnut', 'default', 'homeassistant');

describe('embedded MQTT broker', function () {
  this.timeout(30_000);
  let test: TestStore;
  let siteId: number;
  let users: ReadonlyMap<string, string>;
  let broker: EmbeddedBroker;
  const commands: Array<{ topic: string; payload: string; actor: string }> = [];
  let certFile: string;
  let keyFile: string;

  const startBroker = async (): Promise<EmbeddedBroker> => startEmbeddedBroker({
    host: '127.0.0.1', port: 0, users, topics,
    tls: { port: 0, certFile, keyFile }, ws: { port: 0 },
    retained: new RetainedStore(test.store.knex, siteId, logger),
    onCommand: (topic, payload, actor) => commands.push({ topic, payload: payload.toString(), actor }),
  }, logger);

  const login = (user: string): mqtt.IClientOptions => ({ username: user, password: users.get(user)!, reconnectPeriod: 0 });
  const url = (): string => `mqtt://127.0.0.1:${broker.port}`;

  before(async () => {
    test = await openTestStore();
    siteId = (await ensureSite(test.store.knex, 'default')).id;
    users = (await ensureBrokerAccounts(test.store.secrets())).users;
    const dir = tempDir();
    certFile = path.join(dir, 'cert.pem');
    keyFile = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    broker = await startBroker();
  });

  after(async () => {
    await broker?.close();
    await test?.store.close();
  });

  it('makes its accounts once and keeps them', async () => {
    const again = await ensureBrokerAccounts(test.store.secrets());
    assert.deepEqual(again.created, []);
    assert.deepEqual([...again.users.keys()].sort(), [HOME_ASSISTANT_USER, HUB_USER]);
    assert.equal(again.users.get(HOME_ASSISTANT_USER), users.get(HOME_ASSISTANT_USER));
    assert.notEqual(users.get(HOME_ASSISTANT_USER), users.get(HUB_USER));
  });

  it('refuses anonymous clients, unknown users and wrong passwords', async () => {
    for (const options of [{}, { username: 'nobody', password: 'x' }, { username: HOME_ASSISTANT_USER, password: `${users.get(HOME_ASSISTANT_USER)!}x` }]) {
      await assert.rejects(mqtt.connectAsync(url(), { ...options, reconnectPeriod: 0 }), (error: Error & { code?: number }) => error.code === 4);
    }
  });

  it('passes commands from clients to the hub with who sent them, and refuses other topics', async () => {
    const client = await mqtt.connectAsync(url(), { ...login(HOME_ASSISTANT_USER), clientId: 'ha-1' });
    await client.publishAsync(topics.policyCommand('homelab', 'armed'), 'OFF', { qos: 1 });
    assert.deepEqual(commands.at(-1), { topic: 'walnut/default/policy/homelab/armed/set', payload: 'OFF', actor: 'mqtt:homeassistant@ha-1' });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish(topics.hubStatus, 'offline', { qos: 1 });
    await closed;
    assert.equal(commands.length, 1, 'the forged status was no command');
    client.end(true);
  });

  it('lets the hub publish anything, and serves TLS and WebSocket clients', async () => {
    const ca = fs.readFileSync(certFile);
    const overTls = await recordTopics(`mqtts://127.0.0.1:${broker.tlsPort!}`, ['walnut/#'], { ...login(HOME_ASSISTANT_USER), ca });
    const overWs = await recordTopics(`ws://127.0.0.1:${broker.wsPort!}`, ['walnut/#'], login(HOME_ASSISTANT_USER));
    const hub = await mqtt.connectAsync(url(), login(HUB_USER));
    await hub.publishAsync('walnut/default/ups/x/state', 'hello', { qos: 1 });
    for (const recorder of [overTls, overWs]) {
      await recorder.waitFor((message) => message.topic === 'walnut/default/ups/x/state' && message.payload === 'hello', 'the hub\'s message');
      recorder.client.end(true);
    }
    await hub.endAsync();
  });

  it('publishes the hub connection\'s last will when it drops without a goodbye', async () => {
    const recorder = await recordTopics(url(), [topics.hubStatus], login(HOME_ASSISTANT_USER));
    const hub = connectHub({ url: url(), username: HUB_USER, password: users.get(HUB_USER)!, clientId: 'walnut-hub-test', statusTopic: topics.hubStatus });
    await new Promise<void>((resolve) => hub.once('connect', () => resolve()));
    await hub.publishAsync(topics.hubStatus, 'online', { qos: 1, retain: true });
    await recorder.waitFor((message) => message.payload === 'online', 'online');
    hub.options.reconnectPeriod = 0;
    hub.stream.destroy(); // as a killed process would: no DISCONNECT
    await recorder.waitFor((message) => message.payload === 'offline', 'the last will');
    hub.end(true);
    recorder.client.end(true);
  });

  it('keeps retained messages across a restart, in the encrypted store', async () => {
    const hub = await mqtt.connectAsync(url(), login(HUB_USER));
    await hub.publishAsync('walnut/default/ups/kept/state', 'kept', { qos: 1, retain: true });
    await hub.publishAsync('walnut/default/ups/gone/state', 'soon gone', { qos: 1, retain: true });
    await hub.publishAsync('walnut/default/ups/gone/state', '', { qos: 1, retain: true });
    await hub.endAsync();
    await broker.close();
    const rows = await test.store.knex('mqtt_retained').where({ site_id: siteId }).select('topic');
    assert.ok(rows.some((row: { topic: string }) => row.topic === 'walnut/default/ups/kept/state'));
    assert.ok(!rows.some((row: { topic: string }) => row.topic === 'walnut/default/ups/gone/state'));
    assert.ok(!fs.readFileSync(test.dbPath).includes('soon gone'), 'the database file shows no message in clear');

    broker = await startBroker();
    const recorder = await recordTopics(url(), ['walnut/default/ups/+/state'], login(HOME_ASSISTANT_USER));
    const kept = await recorder.waitFor((message) => message.topic === 'walnut/default/ups/kept/state', 'the retained message after the restart');
    assert.deepEqual([kept.payload, kept.retain], ['kept', true]);
    assert.ok(!recorder.messages.some((message) => message.topic === 'walnut/default/ups/gone/state'));
    recorder.client.end(true);
  });

  it('says which port is taken, and what to do', async () => {
    await assert.rejects(
      startEmbeddedBroker({ host: '127.0.0.1', port: broker.port, users, topics }, logger),
      (error: unknown) => error instanceof HubStartError && /EADDRINUSE.*MQTT_URL/.test(error.message),
    );
  });
});
