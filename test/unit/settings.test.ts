import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { loadSettings, parseNutServers } from '../../settings';
import { SettingsError } from '../../src/errors';

describe('settings', () => {
  const cwd = '/srv/walnut';

  it('has the documented defaults', () => {
    const settings = loadSettings({}, cwd);
    assert.equal(settings.dataDir, '/srv/walnut/data');
    assert.equal(settings.dbPath, '/srv/walnut/data/walnut.db');
    assert.deepEqual(settings.http, { host: '127.0.0.1', port: 1880 });
    assert.deepEqual(settings.mqtt, { host: '127.0.0.1', port: 1883, baseTopic: 'walnut', discoveryPrefix: 'homeassistant' });
    assert.equal(settings.rulesDir, '/srv/walnut/rules');
    assert.deepEqual(settings.nutServers, []);
    assert.equal(settings.site, 'default');
    assert.equal(settings.logLevel, 'info');
    assert.equal(settings.retention.samplesHours, 24);
    assert.equal(settings.retention.rollupDays, 400);
    assert.deepEqual(settings.nut, { pollIntervalMs: 1000, noCommAfterSeconds: 300, retryDelayMs: 1000, maxRetries: 0 });
    assert.equal(settings.databaseUrl, undefined);
    assert.equal(settings.mqtt.url, undefined);
  });

  it('takes every override from its variable', () => {
    const settings = loadSettings(
      {
        WALNUT_DATA_DIR: '/var/lib/walnut',
        WALNUT_HTTP_HOST: '0.0.0.0',
        WALNUT_HTTP_PORT: '8080',
        WALNUT_MQTT_HOST: '::',
        WALNUT_MQTT_PORT: '18830',
        MQTT_URL: 'mqtts://broker.lan:8883',
        WALNUT_MQTT_USERNAME: 'hub',
        WALNUT_MQTT_TLS_PORT: '8884',
        WALNUT_MQTT_TLS_CERT: 'tls/cert.pem',
        WALNUT_MQTT_TLS_KEY: '/etc/walnut/key.pem',
        WALNUT_MQTT_WS_PORT: '8083',
        WALNUT_MQTT_BASE_TOPIC: 'ups/walnut',
        WALNUT_MQTT_DISCOVERY_PREFIX: 'ha',
        DATABASE_URL: 'postgres://walnut@db.lan/walnut',
        WALNUT_RULES_DIR: 'my-rules',
        WALNUT_NUT_SERVERS: 'monuser@nas.lan:3493, 10.0.0.5',
        WALNUT_SITE: 'cabin',
        WALNUT_LOG_LEVEL: 'DEBUG',
        WALNUT_RETENTION_HOURS: '48',
        NODE_ENV: 'production',
      },
      cwd,
    );
    assert.equal(settings.dbPath, '/var/lib/walnut/walnut.db', 'the database follows the data folder');
    assert.deepEqual(settings.http, { host: '0.0.0.0', port: 8080 });
    assert.deepEqual(settings.mqtt, {
      host: '::', port: 18830, url: 'mqtts://broker.lan:8883', username: 'hub',
      tls: { port: 8884, certFile: '/srv/walnut/tls/cert.pem', keyFile: '/etc/walnut/key.pem' }, wsPort: 8083,
      baseTopic: 'ups/walnut', discoveryPrefix: 'ha',
    });
    assert.equal(settings.databaseUrl, 'postgres://walnut@db.lan/walnut');
    assert.equal(settings.rulesDir, path.join(cwd, 'my-rules'));
    assert.deepEqual(settings.nutServers, [{ host: 'nas.lan', port: 3493, username: 'monuser', passwordSecret: 'nut/monuser' }, { host: '10.0.0.5', port: 3493 }]);
    assert.equal(settings.site, 'cabin');
    assert.equal(settings.logLevel, 'debug');
    assert.equal(settings.retention.samplesHours, 48);
    assert.equal(settings.production, true);
    assert.equal(loadSettings({ WALNUT_DB_PATH: 'elsewhere/w.db' }, cwd).dbPath, '/srv/walnut/elsewhere/w.db');
  });

  const bad: Array<[string, string, RegExp]> = [
    ['WALNUT_HTTP_PORT', 'eighty', /WALNUT_HTTP_PORT: expected a whole number/],
    ['WALNUT_MQTT_PORT', '70000', /WALNUT_MQTT_PORT: must be between 0 and 65535/],
    ['WALNUT_LOG_LEVEL', 'loud', /WALNUT_LOG_LEVEL: expected one of/],
    ['WALNUT_NUT_SERVERS', 'ups@', /WALNUT_NUT_SERVERS: "ups@" is not \[user\[:secretRef\]@\]host\[:port\]/],
    ['WALNUT_SITE', 'my site', /WALNUT_SITE:/],
    ['MQTT_URL', 'http://broker', /MQTT_URL: must start with mqtt:\/\//],
    ['WALNUT_ALLOW_NETWORK_FS', 'maybe', /WALNUT_ALLOW_NETWORK_FS: expected true or false/],
    ['WALNUT_RETENTION_HOURS', '0', /WALNUT_RETENTION_HOURS: must be between 1/],
    ['WALNUT_NUT_POLL_MS', '100', /WALNUT_NUT_POLL_MS: must be between 200 and 30000/],
    ['WALNUT_MQTT_TLS_PORT', '8883', /WALNUT_MQTT_TLS_PORT: the TLS listener needs all of/],
    ['WALNUT_MQTT_BASE_TOPIC', 'walnut/#', /WALNUT_MQTT_BASE_TOPIC: "walnut\/#" must be topic levels/],
  ];
  for (const [variable, value, message] of bad) {
    it(`names ${variable} when its value "${value}" is bad`, () => {
      assert.throws(() => loadSettings({ [variable]: value }, cwd), (error: unknown) => error instanceof SettingsError && message.test(error.message) && error.variable === variable);
    });
  }

  it('never echoes a database URL that may hold a password', () => {
    assert.throws(
      () => loadSettings({ DATABASE_URL: 'postgres://u:s3cretpw@[bad' }, cwd),
      (error: unknown) => error instanceof SettingsError && !error.message.includes('s3cretpw'),
    );
  });

  it('parses NUT server lists with users, ports and IPv6', () => {
    assert.deepEqual(parseNutServers('[::1]:3494,admin@ups.local,mon:nas-pw@nas'), [
      { host: '::1', port: 3494 },
      { host: 'ups.local', port: 3493, username: 'admin', passwordSecret: 'nut/admin' },
      { host: 'nas', port: 3493, username: 'mon', passwordSecret: 'nas-pw' },
    ]);
    assert.throws(() => parseNutServers('host:0'), /out of range/);
  });
});
