/**
 * Home Assistant's view of a running hub, through a real MQTT client: once
 * with the embedded broker, once with Debian's mosquitto through MQTT_URL.
 * The hub watches a real upsd (dummy-ups) and runs a policy on it.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import mqtt from 'mqtt';
import { startMosquitto, type RealMosquitto } from '../../../bench/lib/mosquitto';
import { DEVICE_CLASS_UNITS, unitAllowed, type HaDeviceClass } from '../../../src/mqtt/device-classes';
import { Store } from '../../../src/store/store';
import { spawnHub, type RunningHub } from '../../helpers/hub';
import { recordTopics, type MqttRecorder, type Received } from '../../helpers/mqtt';
import { exited, ROOT, walnut } from '../../helpers/process';
import { tempDir } from '../../helpers/temp';
import { DEFAULT_DEVICE, startRealUpsd, type RealUpsd } from '../../helpers/upsd';

const RULES = `apiVersion: walnut/v1
kind: Targets
targets:
  rack-plug:
    type: shelly
    host: 127.0.0.1:9
    watts: 20
---
apiVersion: walnut/v1
kind: Policy
name: drill
ups: [dummy]
triggers:
  any:
    - on_battery: { for: 1s }
stages:
  - name: cut
    timeout: 10s
    actions:
      - { target: rack-plug, op: off }
restore:
  when: { online: { for: 1s } }
  inverse: true
`;

const EXTERNAL = { hub: 'walnut', hubPassword: 'hub-pw-for-tests', ha: 'homeassistant', haPassword: 'ha-pw-for-tests' };

interface Setup {
  url: string;
  haPassword: string;
  env: Record<string, string>;
  /** Who the audit trail names for a command from the HA account. */
  actor: RegExp;
}

const parse = (message: Received): Record<string, unknown> => JSON.parse(message.payload) as Record<string, unknown>;
const isConfig = (message: Received): boolean => message.topic.startsWith('homeassistant/') && message.topic.endsWith('/config');

for (const broker of ['embedded', 'mosquitto'] as const) {
  describe(`Home Assistant over MQTT (${broker} broker)`, function () {
    this.timeout(120_000);
    let upsd: RealUpsd;
    let mosquitto: RealMosquitto | undefined;
    let hub: RunningHub;
    let setup: Setup;
    let dataDir: string;
    let recorder: MqttRecorder;

    const haClient = (options: mqtt.IClientOptions = {}): Promise<mqtt.MqttClient> =>
      mqtt.connectAsync(setup.url, { username: 'homeassistant', password: setup.haPassword, reconnectPeriod: 0, ...options });

    const record = (): Promise<MqttRecorder> =>
      recordTopics(setup.url, ['homeassistant/#', 'walnut/#'], { username: 'homeassistant', password: setup.haPassword });

    const start = async (env: Record<string, string>): Promise<void> => {
      hub = await spawnHub(env);
    };

    before(async () => {
      upsd = await startRealUpsd();
      dataDir = tempDir();
      const rulesDir = path.join(dataDir, 'rules');
      fs.mkdirSync(rulesDir);
      fs.writeFileSync(path.join(rulesDir, 'drill.yaml'), RULES);
      const env = {
        WALNUT_DATA_DIR: dataDir, WALNUT_RULES_DIR: rulesDir,
        WALNUT_NUT_SERVERS: `admin@${upsd.host}:${upsd.port}`, WALNUT_NUT_RETRY_DELAY_MS: '100',
      };
      assert.equal((await walnut(['secrets', 'set', 'nut/admin', '--stdin'], env, 'adminpw')).code, 0);
      if (broker === 'mosquitto') {
        const acl = fs.readFileSync(path.join(ROOT, 'docs/mqtt/mosquitto.acl'), 'utf8');
        mosquitto = await startMosquitto({ users: { [EXTERNAL.hub]: EXTERNAL.hubPassword, [EXTERNAL.ha]: EXTERNAL.haPassword }, acl });
        assert.equal((await walnut(['secrets', 'set', 'mqtt/external', '--stdin'], env, EXTERNAL.hubPassword)).code, 0);
        setup = { url: mosquitto.url, haPassword: EXTERNAL.haPassword, env: { ...env, MQTT_URL: mosquitto.url, WALNUT_MQTT_USERNAME: EXTERNAL.hub }, actor: /^mqtt$/ };
        await start(setup.env);
      } else {
        await start(env);
        const shown = await walnut(['mqtt', 'credentials', '--json'], env);
        assert.equal(shown.code, 0, shown.stderr);
        const credentials = JSON.parse(shown.stdout) as { username: string; password: string };
        assert.equal(credentials.username, 'homeassistant');
        setup = { url: hub.mqtt, haPassword: credentials.password, env, actor: /^mqtt:homeassistant@/ };
        assert.doesNotMatch(hub.output(), new RegExp(credentials.password), 'the password is never logged');
      }
      recorder = await record();
    });

    after(async () => {
      recorder?.client.end(true);
      if (hub?.child.exitCode === null) {
        hub.child.kill('SIGKILL');
        await exited(hub.child);
      }
      await mosquitto?.stop();
      await upsd?.stop();
    });

    /** All configs once the UPS's command button (the last to come) is there. */
    async function allConfigs(from: MqttRecorder): Promise<Map<string, Record<string, unknown>>> {
      await from.waitFor((message) => /_command_load_off\/config$/.test(message.topic) && message.payload !== '', 'the load.off button config');
      const configs = new Map<string, Record<string, unknown>>();
      for (const [topic, message] of from.latest()) if (isConfig(message) && message.payload !== '') configs.set(topic, parse(message));
      return configs;
    }

    it('publishes valid discovery for the UPS, hub, policy and target, and a value on every state topic', async () => {
      const configs = await allConfigs(recorder);
      const uniqueIds = [...configs.values()].map((config) => config.unique_id as string);
      assert.equal(new Set(uniqueIds).size, uniqueIds.length, 'unique ids are unique');
      for (const [topic, config] of configs) {
        assert.ok(config.origin && (config.origin as { name: string }).name === 'walNUT', `${topic}: origin`);
        assert.ok((config.device as { identifiers: string[] }).identifiers.length > 0, `${topic}: device`);
        const deviceClass = config.device_class as string | undefined;
        if (deviceClass !== undefined && deviceClass in DEVICE_CLASS_UNITS && topic.includes('/sensor/')) {
          assert.ok(unitAllowed(deviceClass as HaDeviceClass, config.unit_of_measurement as string | undefined), `${topic}: ${String(config.unit_of_measurement)} is not a ${deviceClass} unit`);
        }
        if (!topic.includes('_connectivity/')) assert.equal(config.availability_mode, 'all', `${topic}: availability_mode`);
      }
      const ups = [...configs.entries()].filter(([topic]) => topic.includes('Walnut_Test_Dummy_1500_WT0001'));
      const charge = ups.find(([topic]) => topic.endsWith('_battery_charge/config'))?.[1];
      assert.ok(charge, 'battery.charge, which the UPS reports, is a sensor');
      assert.deepEqual([charge.device_class, charge.unit_of_measurement, charge.state_class], ['battery', '%', 'measurement']);
      const device = charge.device as Record<string, unknown>;
      assert.deepEqual([device.manufacturer, device.model, device.serial_number, device.via_device], ['Walnut Test', 'Dummy 1500', 'WT0001', 'walnut_default_hub']);
      assert.ok(!ups.some(([topic]) => topic.endsWith('_input_frequency/config')), 'input.frequency is not reported: no entity');
      const availability = (charge.availability as Array<{ topic: string }>).map((entry) => entry.topic);
      assert.deepEqual(availability, ['walnut/default/status', 'walnut/default/ups/Walnut_Test_Dummy_1500_WT0001/availability']);
      const button = ups.find(([topic]) => topic.includes('/button/') && topic.endsWith('_command_load_off/config'))?.[1];
      assert.equal(button?.enabled_by_default, false, 'instant-command buttons are disabled by default');
      for (const kind of ['online', 'low_battery', 'charging', 'replace_battery', 'overload']) {
        assert.ok(ups.some(([topic]) => topic.endsWith(`_${kind}/config`) && topic.includes('/binary_sensor/')), `binary sensor ${kind}`);
      }
      for (const suffix of ['policy_drill_state', 'policy_drill_next_stage_in', 'policy_drill_margin', 'policy_drill_armed', 'policy_drill_dry_run', 'policy_drill_simulate', 'target_rack-plug_last_result', 'target_rack-plug_last_result_at', 'hub_connectivity', 'hub_version']) {
        assert.ok([...configs.keys()].some((topic) => topic.endsWith(`walnut_default_${suffix}/config`)), `entity ${suffix}`);
      }

      const stateTopics = new Set<string>();
      for (const config of configs.values()) {
        for (const key of ['state_topic', 'json_attributes_topic']) if (typeof config[key] === 'string') stateTopics.add(config[key]);
        for (const entry of (config.availability as Array<{ topic: string }> | undefined) ?? []) stateTopics.add(entry.topic);
      }
      for (const topic of stateTopics) await recorder.waitFor((message) => message.topic === topic && message.payload !== '', `a value on ${topic}`);
      const state = parse(recorder.latest().get('walnut/default/ups/Walnut_Test_Dummy_1500_WT0001/state')!);
      assert.equal((state.vars as Record<string, string>)['battery.charge'], '100');
      assert.equal((state.binary as Record<string, string>).online, 'ON');
    });

    it('refuses a wrong password', async () => {
      await assert.rejects(
        mqtt.connectAsync(setup.url, { username: 'homeassistant', password: 'not-the-password', reconnectPeriod: 0 }),
        (error: Error & { code?: number }) => error.code === 4 || error.code === 5,
      );
    });

    it('lets Home Assistant publish only commands and its birth message', async () => {
      const client = await haClient();
      const forged = 'walnut/default/ups/Walnut_Test_Dummy_1500_WT0001/availability';
      const from = recorder.messages.length;
      const closed = new Promise<string>((resolve) => client.once('close', () => resolve('closed')));
      // Denied: mosquitto drops it silently, Aedes closes the connection (MQTT-3.3.5-2). Either way nobody receives it.
      client.publish(forged, 'forged', { qos: 0 });
      client.publish('homeassistant/status', 'offline', { qos: 1 });
      const outcome = await Promise.race([
        closed,
        recorder.waitFor((message) => message.topic === 'homeassistant/status' && message.payload === 'offline', 'the allowed birth topic', 20_000, from).then(() => 'delivered'),
      ]);
      assert.ok(outcome === 'closed' || outcome === 'delivered');
      assert.ok(!recorder.messages.slice(from).some((message) => message.topic === forged && message.payload === 'forged'), 'the forged message never arrived');
      client.end(true);
    });

    it('republishes discovery when Home Assistant says it is online', async () => {
      const client = await haClient();
      const from = recorder.messages.length;
      await client.publishAsync('homeassistant/status', 'online', { qos: 1 });
      await recorder.waitFor((message) => isConfig(message) && !message.retain && message.topic.endsWith('_battery_charge/config'), 'a live (republished) config', 20_000, from);
      await recorder.waitFor((message) => message.topic === 'walnut/default/status' && message.payload === 'online' && !message.retain, 'the hub status again', 20_000, from);
      client.end(true);
    });

    it('marks the UPS unavailable when upsd loses its driver, and available again', async () => {
      const topic = 'walnut/default/ups/Walnut_Test_Dummy_1500_WT0001/availability';
      let from = recorder.messages.length;
      await upsd.killDriver();
      await recorder.waitFor((message) => message.topic === topic && message.payload === 'offline', 'UPS offline', 30_000, from);
      from = recorder.messages.length;
      await upsd.startDriver();
      await recorder.waitFor((message) => message.topic === topic && message.payload === 'online', 'UPS online again', 30_000, from);
    });

    it('carries out switches and buttons, and audits who and when', async () => {
      const client = await haClient();
      const policyState = 'walnut/default/policy/drill/state';
      let from = recorder.messages.length;
      const started = Date.now();
      await client.publishAsync('walnut/default/policy/drill/armed/set', 'OFF', { qos: 1 });
      await recorder.waitFor((message) => message.topic === policyState && parse(message).armed === false, 'armed off', 20_000, from);
      await client.publishAsync('walnut/default/policy/drill/dry_run/set', 'OFF', { qos: 1 });
      await recorder.waitFor((message) => message.topic === policyState && parse(message).dry_run === false, 'dry run off', 20_000, from);

      // "Simulate outage": a live dry run on synthetic readings that calls no device.
      from = recorder.messages.length;
      await client.publishAsync('walnut/default/policy/drill/simulate/set', 'PRESS', { qos: 1 });
      await recorder.waitFor((message) => message.topic === policyState && parse(message).state === 'simulating', 'simulating', 20_000, from);
      await recorder.waitFor((message) => message.topic === policyState && parse(message).run_id !== null, 'a simulated run', 20_000, from);
      // The default flow runs the policy: once the simulation ends it is idle again (the real UPS is on mains).
      await recorder.waitFor((message) => message.topic === policyState && parse(message).simulating === false && parse(message).state === 'idle', 'the simulation ended', 60_000, from);

      const upsCommand = 'walnut/default/ups/Walnut_Test_Dummy_1500_WT0001/command/set';
      await client.publishAsync(upsCommand, 'load.off', { qos: 1 });
      await client.publishAsync(upsCommand, 'no.such.command', { qos: 1 });
      client.end(true);
      // The UPS commands run after the publishes return, side by side: the hub says when each is done.
      await hub.waitFor(/"payload":"load\.off","msg":"MQTT command carried out"/);
      await hub.waitFor(/"msg":"MQTT command failed"/);

      const store = await Store.open({ settings: { dbPath: hub.dbPath, production: false, allowNetworkFs: false }, env: {} });
      try {
        const audit = async (): Promise<Array<{ actor: string; action: string; resource: string; ts: number; after: string | null }>> =>
          store.knex('audit_logs').where('ts', '>=', started).orderBy('id').select('actor', 'action', 'resource', 'ts', 'after');
        const rows = await audit();
        const actions = rows.map((row) => row.action);
        assert.deepEqual([...actions.slice(0, 3), ...actions.slice(3).sort()], ['policy.override.set', 'policy.override.set', 'policy.simulation.start', 'ups.instcmd', 'ups.instcmd.refused'], JSON.stringify(rows));
        for (const row of rows) {
          assert.match(row.actor, setup.actor);
          assert.ok(row.ts >= started && row.ts <= Date.now());
        }
        assert.equal(rows.find((row) => row.action === 'ups.instcmd')!.resource, `ups/dummy@${upsd.host}:${upsd.port}`, 'upsd ran load.off for the admin login');
        assert.equal((await store.knex('jobs').count({ n: '*' }).first() as { n: number }).n, 0, 'the simulation called no device');
      } finally {
        await store.close();
      }
      const target = parse(recorder.latest().get('walnut/default/target/rack-plug/state')!);
      assert.equal(target.result, null, 'no job ran on the target');
    });

    it('sends the default flow\'s notifications over MQTT when the UPS goes on battery', async () => {
      const from = recorder.messages.length;
      upsd.writeDevice({ ...DEFAULT_DEVICE, 'ups.status': 'OB DISCHRG' });
      const onbatt = await recorder.waitFor((message) => message.topic === 'walnut/notify/onbatt', 'the ONBATT notification', 30_000, from);
      assert.equal((JSON.parse(onbatt.payload) as { kind: string }).kind, 'onbatt');
      upsd.writeDevice(DEFAULT_DEVICE);
      await recorder.waitFor((message) => message.topic === 'walnut/default/ups/Walnut_Test_Dummy_1500_WT0001/state' && parse(message).binary !== undefined && (parse(message).binary as Record<string, string>).online === 'ON', 'back on mains', 30_000, recorder.messages.length);
    });

    /** Stops the hub, gives it other rules, starts it again and listens afresh; resolves once it says it is online. */
    async function restartWith(rules: string): Promise<void> {
      hub.child.kill('SIGTERM');
      assert.deepEqual(await exited(hub.child), { code: 0, signal: null });
      fs.writeFileSync(path.join(setup.env.WALNUT_RULES_DIR!, 'drill.yaml'), rules);
      await start(setup.env);
      if (broker === 'embedded') setup.url = hub.mqtt;
      recorder.client.end(true);
      recorder = await record();
      // "online" comes last in every republish: what the hub removed and published is in by then.
      await recorder.waitFor((message) => message.topic === 'walnut/default/status' && message.payload === 'online', 'the hub online');
    }

    const idsOf = (configs: Map<string, Record<string, unknown>>): string[] => [...configs.values()].map((config) => config.unique_id as string).sort();

    it('keeps unique ids across restarts, and removes entities no longer wanted, even from a stopped hub', async () => {
      const before = idsOf(await allConfigs(recorder));
      await restartWith(RULES.replace('targets:\n', 'targets:\n  other-plug:\n    type: shelly\n    host: 127.0.0.1:9\n'));
      const withOther = idsOf(await allConfigs(recorder));
      assert.deepEqual(withOther.filter((id) => !id.includes('other-plug')), before, 'the same entities, with the same unique ids');
      assert.ok(withOther.includes('walnut_default_target_other-plug_last_result'));

      await restartWith(RULES);
      const removed = recorder.latest().get('homeassistant/sensor/walnut_default/walnut_default_target_other-plug_last_result/config');
      assert.ok(removed === undefined || removed.payload === '', 'the deleted target\'s entity is gone from the broker');
      assert.deepEqual(idsOf(await allConfigs(recorder)), before);
    });

    if (broker === 'mosquitto') {
      it('goes offline through its last will when the hub is killed', async () => {
        const from = recorder.messages.length;
        hub.child.kill('SIGKILL');
        await exited(hub.child);
        const will = await recorder.waitFor((message) => message.topic === 'walnut/default/status' && message.payload === 'offline', 'the last will', 60_000, from);
        assert.equal(will.retain, false, 'delivered live to a subscriber');
        const fresh = await record();
        await fresh.waitFor((message) => message.topic === 'walnut/default/status' && message.payload === 'offline' && message.retain, 'the retained offline status');
        fresh.client.end(true);
      });

      it('says so when the external broker refuses its login', async () => {
        assert.equal((await walnut(['secrets', 'set', 'mqtt/external', '--stdin'], setup.env, 'wrong')).code, 0);
        const refused = await spawnHub({ ...setup.env });
        try {
          await refused.waitFor(/refused the hub's login.*WALNUT_MQTT_USERNAME/);
          assert.doesNotMatch(refused.output(), /wrong/, 'the password is not echoed');
        } finally {
          refused.child.kill('SIGKILL');
          await exited(refused.child);
        }
      });
    }
  });
}
