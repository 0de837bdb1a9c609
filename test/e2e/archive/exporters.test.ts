/**
 * Every exporter in every format against a real encrypted store and a real
 * rules folder: well-formed output, the right counts and digest, an event per
 * export, and never the value of a secret a target references.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { load } from 'js-yaml';
import type { ExportContext, ExportResult } from '../../../src/archive/exporter';
import { EXPORTERS, findExporter } from '../../../src/archive/exporters';
import { runExport } from '../../../src/archive/export-runner';
import { exportCommand } from '../../../src/cli/export-command';
import { UsageError } from '../../../src/errors';
import { buildRuleSet } from '../../../src/policy/rule-set';
import { loadRulesDir } from '../../../src/policy/rules-dir';
import { Event, Ups } from '../../../src/store/models';
import { SampleWriter, type SampleRow } from '../../../src/store/samples';
import { ensureSite } from '../../../src/store/sites';
import { openTestStore, type TestStore } from '../../helpers/store';
import { tempDir } from '../../helpers/temp';

const CANARY = 'CANARY-7f3a9e1c-secret-value-never-exported';
const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);

const TARGETS = `apiVersion: walnut/v1
kind: Targets
targets:
  pve:
    type: proxmox
    url: https://192.168.1.10:8006
    token: { secretRef: pve-token }
    node: pve
    guests: { all: true }
  nas:
    type: ssh
    host: nas.lan
    user: walnut
    key: { secretRef: canary }
  backup-box:
    type: ssh
    host: 10.0.0.5
    port: 2222
    user: backup
    key: { secretRef: canary }
  nas-wake:
    type: wol
    mac: "00:11:32:aa:bb:cc"
    address: 192.168.1.255
  switch-plug:
    type: shelly
    host: 192.168.1.40:8080
    credentials: { secretRef: canary }
  printer-plug:
    type: tapo
    host: 192.168.1.41
    credentials: { secretRef: tapo-account }
  rack-ups:
    type: ups
    ups: rack@127.0.0.1
    credentials: { secretRef: nut/admin }
`;

const POLICY = `apiVersion: walnut/v1
kind: Policy
name: lab
ups: [rack@127.0.0.1]
triggers:
  any:
    - on_battery: { for: 2m }
stages:
  - name: shed
    actions:
      - { target: printer-plug, op: off }
      - { target: switch-plug, op: off }
  - name: hosts
    actions:
      - { target: pve, op: shutdown }
      - { target: nas, op: shutdown }
      - { target: backup-box, op: shutdown }
      - { target: rack-ups, op: poweroff }
restore:
  actions:
    - { target: nas-wake, op: wake }
`;

/** A Writable that keeps what it is given, acknowledging on a later tick so backpressure is real. */
class Collector extends Writable {
  private readonly chunks: Buffer[] = [];

  constructor(highWaterMark = 16 * 1024) {
    super({ highWaterMark });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(chunk);
    setImmediate(callback);
  }

  get buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') { field += '"'; i += 1; } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') { record.push(field); field = ''; } else if (char === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 1;
    } else field += char;
  }
  assert.equal(field, '', 'the CSV ends with CRLF');
  assert.equal(record.length, 0);
  return records;
}

describe('exporters', function () {
  this.timeout(60_000);
  let test: TestStore;
  let context: ExportContext;
  let rulesDir: string;

  const sampleCount = async (): Promise<number> => Number(((await context.knex('ups_samples as s').join('ups as u', 'u.id', 's.ups_id')
    .where('u.site_id', context.siteId).count({ n: '*' })) as Array<{ n: number }>)[0]!.n);
  const eventCount = async (): Promise<number> => Number(((await context.knex('events').where('site_id', context.siteId)
    .count({ n: '*' })) as Array<{ n: number }>)[0]!.n);

  /** Runs one export into memory and checks what every export must satisfy. */
  async function exportOf(name: string, format: string, config?: unknown): Promise<{ result: ExportResult; text: string }> {
    const before = await Event.query(context.knex).where({ site_id: context.siteId, type: 'export.created' }).resultSize();
    const out = new Collector();
    const result = await runExport(context, name, { format, out, ...(config === undefined ? {} : { config }) });
    const buffer = out.buffer;
    assert.equal(result.exporter, name);
    assert.equal(result.format, format);
    assert.equal(result.size, buffer.length);
    assert.equal(result.sha256, createHash('sha256').update(buffer).digest('hex'));
    const text = buffer.toString('utf8');
    assert.ok(!text.includes(CANARY), `${name} ${format} leaked a secret value`);
    const events = await Event.query(context.knex).where({ site_id: context.siteId, type: 'export.created' }).orderBy('id');
    assert.equal(events.length, before + 1);
    const event = events[events.length - 1]!;
    assert.equal(event.source, `export:${name}`);
    assert.equal(event.severity, 'info');
    assert.deepEqual(JSON.parse(event.data!), result);
    return { result, text };
  }

  before(async () => {
    test = await openTestStore();
    const { knex } = test.store;
    const site = await ensureSite(knex, 'lab');
    const other = await ensureSite(knex, 'elsewhere');
    await test.store.secrets().set('canary', CANARY);
    rulesDir = tempDir();
    fs.writeFileSync(path.join(rulesDir, 'targets.yaml'), TARGETS);
    fs.writeFileSync(path.join(rulesDir, 'lab.yaml'), POLICY);
    const { ruleSet, rejected } = buildRuleSet(await loadRulesDir(rulesDir));
    assert.equal(rejected.size, 0, JSON.stringify([...rejected]));
    context = {
      knex, siteId: site.id, siteName: 'lab', rules: ruleSet, mqtt: { baseTopic: 'walnut', discoveryPrefix: 'homeassistant' }, version: '9.9.9',
    };

    const rack = await Ups.query(knex).insert({ site_id: site.id, name: 'rack', server: '127.0.0.1:3493', manufacturer: 'APC', model: 'Smart-UPS 1500', serial: 'AS1234' });
    const closet = await Ups.query(knex).insert({ site_id: site.id, name: 'closet', server: 'nas.lan:3494' });
    const foreign = await Ups.query(knex).insert({ site_id: other.id, name: 'foreign', server: '10.9.9.9:3493' });
    const rows: SampleRow[] = [
      { ups_id: rack.id, ts: T0, status: 'OL', battery_charge: 100, battery_runtime: 1800, battery_voltage: 27.1, input_voltage: 231, output_voltage: 230, ups_load: 22, ups_realpower: 180 },
      { ups_id: rack.id, ts: T0 + 1000, status: 'OB DISCHRG', battery_charge: 98, battery_runtime: 1700, input_voltage: 0, output_voltage: 230, ups_load: 23 },
      { ups_id: closet.id, ts: T0 + 500, status: 'OL CHRG', battery_charge: 80 },
      { ups_id: foreign.id, ts: T0, status: 'OL', battery_charge: 50 },
    ];
    await new SampleWriter(knex).insert(rows);
    await Event.query(knex).insert({ site_id: site.id, ts: T0, severity: 'warning', type: 'ONBATT', source: 'nut:127.0.0.1:3493/rack', ups_id: rack.id, message: 'rack is on battery, "mains lost", load 23%', data: JSON.stringify({ charge: 98 }) });
    await Event.query(knex).insert({ site_id: site.id, ts: T0 + 2000, severity: 'info', type: 'NOTE', source: 'test', message: 'two\nlines', data: null });
    await Event.query(knex).insert({ site_id: other.id, ts: T0, severity: 'info', type: 'ONLINE', source: 'nut:x', message: 'elsewhere' });
  });

  after(async () => {
    await test?.store.close();
  });

  it('lists every exporter once, each with at least one format', () => {
    const names = EXPORTERS.map((exporter) => exporter.name);
    assert.deepEqual([...names].sort(), ['ansible', 'csv', 'homeassistant', 'hosts', 'json', 'prometheus', 'upsmon']);
    for (const exporter of EXPORTERS) assert.ok(exporter.formats.length > 0 && findExporter(exporter.name) === exporter);
    assert.equal(findExporter('nope'), undefined);
  });

  it('homeassistant json: the discovery configs of the hub, the site\'s UPSes, the policy and the targets', async () => {
    const { result, text } = await exportOf('homeassistant', 'json');
    const configs = JSON.parse(text) as Array<{ topic: string; payload: Record<string, unknown> }>;
    assert.equal(result.count, configs.length);
    for (const { topic, payload } of configs) {
      assert.match(topic, /^homeassistant\/(sensor|binary_sensor|switch|button)\/walnut_lab\/[A-Za-z0-9_-]+\/config$/);
      assert.equal(topic.split('/')[3], payload.unique_id);
      assert.ok(payload.device && payload.origin);
    }
    const ids = configs.map(({ payload }) => String(payload.unique_id));
    assert.ok(ids.includes('walnut_lab_hub_connectivity'));
    assert.ok(ids.includes('walnut_lab_APC_Smart-UPS_1500_AS1234_battery_charge'), ids.join(' '));
    assert.ok(ids.includes('walnut_lab_APC_Smart-UPS_1500_AS1234_ups_load'));
    assert.ok(!ids.includes('walnut_lab_APC_Smart-UPS_1500_AS1234_ups_realpower'), 'the newest sample has no real power');
    assert.ok(ids.includes('walnut_lab_APC_Smart-UPS_1500_AS1234_online'));
    assert.ok(ids.includes('walnut_lab_closet_nas_lan_3494_battery_charge'), ids.join(' '));
    assert.ok(!ids.includes('walnut_lab_closet_nas_lan_3494_battery_runtime'), 'only what the newest sample reports');
    assert.ok(ids.includes('walnut_lab_policy_lab_armed'));
    for (const target of ['pve', 'nas', 'backup-box', 'nas-wake', 'switch-plug', 'printer-plug', 'rack-ups']) {
      assert.ok(ids.includes(`walnut_lab_target_${target}_last_result`), target);
    }
    assert.ok(!text.includes('foreign'), 'another site\'s UPS');
    assert.ok(!ids.some((id) => id.includes('_command_')), 'no instant commands from the store');
  });

  it('homeassistant yaml: a package of the same entities as manual MQTT config', async () => {
    const { result, text } = await exportOf('homeassistant', 'yaml');
    const parsed = load(text) as { mqtt: Record<string, Array<Record<string, unknown>>> };
    assert.deepEqual(Object.keys(parsed.mqtt).sort(), ['binary_sensor', 'button', 'sensor', 'switch']);
    const entities = Object.values(parsed.mqtt).flat();
    assert.equal(entities.length, result.count);
    for (const entity of entities) {
      assert.equal(entity.device, undefined);
      assert.equal(entity.origin, undefined);
      assert.equal(typeof entity.unique_id, 'string');
      assert.equal(typeof entity.name, 'string');
    }
    const armed = parsed.mqtt.switch!.find((entity) => entity.unique_id === 'walnut_lab_policy_lab_armed')!;
    assert.equal(armed.name, 'Policy lab Armed');
    assert.equal(armed.payload_on, 'ON', 'ON stays a string, not a YAML 1.1 boolean');
    assert.equal(armed.command_topic, 'walnut/lab/policy/lab/armed/set');
    assert.ok(!text.includes('&'), 'no YAML anchors');
  });

  it('hosts: ADDRESS NAME for the targets with an IP address', async () => {
    const { result, text } = await exportOf('hosts', 'hosts');
    const lines = text.trimEnd().split('\n');
    assert.match(lines[0]!, /^# Generated by walNUT 9\.9\.9 for site lab at \d{4}-\d\d-\d\dT/);
    const entries = lines.filter((line) => !line.startsWith('#'));
    for (const line of entries) assert.match(line, /^[0-9a-fA-F.:]+ [a-z0-9_-]+$/);
    assert.deepEqual(entries, ['10.0.0.5 backup-box', '192.168.1.41 printer-plug', '192.168.1.10 pve', '192.168.1.40 switch-plug']);
    assert.equal(result.count, 4);
    assert.ok(lines.some((line) => line.startsWith('# nas: nas.lan is a host name')));
    assert.ok(!text.includes('192.168.1.255') && !text.includes('rack-ups'), 'no wol or ups targets');
  });

  it('ansible yaml and ini: SSH and Proxmox groups', async () => {
    const yaml = await exportOf('ansible', 'yaml');
    const inventory = load(yaml.text) as { all: { children: Record<string, { hosts: Record<string, Record<string, unknown>> }> } };
    assert.deepEqual(inventory.all.children.walnut_ssh!.hosts, {
      'backup-box': { ansible_host: '10.0.0.5', ansible_port: 2222, ansible_user: 'backup' },
      nas: { ansible_host: 'nas.lan', ansible_port: 22, ansible_user: 'walnut' },
    });
    assert.deepEqual(inventory.all.children.walnut_proxmox!.hosts, { pve: { ansible_host: '192.168.1.10' } });
    assert.equal(yaml.result.count, 3);

    const ini = await exportOf('ansible', 'ini');
    const lines = ini.text.trimEnd().split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    assert.deepEqual(lines, [
      '[walnut_ssh]',
      'backup-box ansible_host=10.0.0.5 ansible_port=2222 ansible_user=backup',
      'nas ansible_host=nas.lan ansible_port=22 ansible_user=walnut',
      '[walnut_proxmox]',
      'pve ansible_host=192.168.1.10',
    ]);
    assert.equal(ini.result.count, 3);
  });

  it('prometheus json: file_sd targets for the hub and node exporters', async () => {
    const { result, text } = await exportOf('prometheus', 'json', { hub: '10.0.0.2:1880', nodeExporterPort: 9101 });
    const entries = JSON.parse(text) as Array<{ targets: string[]; labels: Record<string, string> }>;
    assert.equal(result.count, entries.length);
    assert.deepEqual(entries, [
      { targets: ['10.0.0.2:1880'], labels: { walnut_type: 'hub', walnut_site: 'lab' } },
      { targets: ['10.0.0.5:9101'], labels: { walnut_target: 'backup-box', walnut_type: 'ssh', walnut_site: 'lab' } },
      { targets: ['nas.lan:9101'], labels: { walnut_target: 'nas', walnut_type: 'ssh', walnut_site: 'lab' } },
      { targets: ['192.168.1.10:9101'], labels: { walnut_target: 'pve', walnut_type: 'proxmox', walnut_site: 'lab' } },
    ]);
    const defaults = JSON.parse((await exportOf('prometheus', 'json')).text) as Array<{ targets: string[] }>;
    assert.deepEqual(defaults.map((entry) => entry.targets[0]), ['10.0.0.5:9100', 'nas.lan:9100', '192.168.1.10:9100']);
  });

  it('upsmon conf: a MONITOR line per UPS of the site, with a placeholder password', async () => {
    const { result, text } = await exportOf('upsmon', 'conf');
    const monitors = text.split('\n').filter((line) => line.startsWith('MONITOR'));
    assert.deepEqual(monitors, [
      'MONITOR rack@127.0.0.1 1 monuser "CHANGE_ME" secondary',
      'MONITOR closet@nas.lan:3494 1 monuser "CHANGE_ME" secondary',
    ]);
    assert.equal(result.count, 2);
    assert.ok(text.split('\n').some((line) => line.startsWith('#') && line.includes('CHANGE_ME') && line.includes('upsd.users')));
    const custom = await exportOf('upsmon', 'conf', { user: 'observer', passwordPlaceholder: 'SET_ME' });
    assert.ok(custom.text.includes('MONITOR rack@127.0.0.1 1 observer "SET_ME" secondary'));
  });

  it('csv: samples joined with their UPS, and events, RFC 4180 quoted', async () => {
    const samples = await exportOf('csv', 'csv', { what: 'samples' });
    const records = parseCsv(samples.text);
    assert.deepEqual(records[0], ['ups', 'server', 'ts', 'status', 'battery_charge', 'battery_runtime', 'battery_voltage', 'input_voltage', 'output_voltage', 'ups_load', 'ups_realpower']);
    assert.equal(records.length - 1, 3);
    assert.equal(samples.result.count, 3);
    assert.deepEqual(records[1], ['rack', '127.0.0.1:3493', new Date(T0).toISOString(), 'OL', '100', '1800', '27.1', '231', '230', '22', '180']);
    assert.deepEqual(records[2]!.slice(0, 6), ['rack', '127.0.0.1:3493', new Date(T0 + 1000).toISOString(), 'OB DISCHRG', '98', '1700']);
    assert.equal(records[2]![6], '', 'a missing reading is an empty field');

    const ranged = await exportOf('csv', 'csv', { what: 'samples', since: T0 + 500, until: T0 + 1000 });
    assert.deepEqual(parseCsv(ranged.text).slice(1).map((record) => record[0]), ['closet']);

    const events = await exportOf('csv', 'csv', { what: 'events' });
    const eventRecords = parseCsv(events.text);
    assert.deepEqual(eventRecords[0], ['ts', 'severity', 'type', 'source', 'message', 'data']);
    assert.equal(eventRecords.length - 1, events.result.count);
    assert.equal(events.result.count, await eventCount() - 1, 'every event of the site but the one of this export');
    assert.deepEqual(eventRecords[1], [new Date(T0).toISOString(), 'warning', 'ONBATT', 'nut:127.0.0.1:3493/rack', 'rack is on battery, "mains lost", load 23%', '{"charge":98}']);
    assert.deepEqual(eventRecords[2]!.slice(4), ['two\nlines', '']);
    assert.ok(!events.text.includes('elsewhere'));
  });

  it('json: JSON lines of samples and events', async () => {
    const samples = await exportOf('json', 'json', { what: 'samples' });
    const lines = samples.text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(lines.length, 3);
    assert.equal(samples.result.count, 3);
    assert.deepEqual(lines[0], {
      ups: 'rack', server: '127.0.0.1:3493', ts: new Date(T0).toISOString(), status: 'OL', battery_charge: 100, battery_runtime: 1800,
      battery_voltage: 27.1, input_voltage: 231, output_voltage: 230, ups_load: 22, ups_realpower: 180,
    });
    const events = await exportOf('json', 'json', { what: 'events', until: T0 + 1 });
    const eventLines = events.text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(eventLines, [{
      ts: new Date(T0).toISOString(), severity: 'warning', type: 'ONBATT', source: 'nut:127.0.0.1:3493/rack',
      message: 'rack is on battery, "mains lost", load 23%', data: { charge: 98 },
    }]);
  });

  it('runs every exporter in every format without leaking the canary', async () => {
    const configs: Record<string, unknown> = { csv: { what: 'events' }, json: { what: 'samples' } };
    for (const exporter of EXPORTERS) {
      for (const format of exporter.formats) await exportOf(exporter.name, format, configs[exporter.name]);
    }
  });

  it('refuses an unknown exporter, an unknown format and a bad config, naming keys and never values', async () => {
    const out = new Collector();
    await assert.rejects(runExport(context, 'excel', { out }), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /no exporter named "excel" \(there are: homeassistant, hosts, ansible, prometheus, upsmon, csv, json\)/);
      return true;
    });
    await assert.rejects(runExport(context, 'ansible', { out, format: 'toml' }), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /exporter "ansible" has no format "toml" \(it writes: yaml, ini\)/);
      return true;
    });
    await assert.rejects(runExport(context, 'csv', { out, config: { what: 'bogus-value', since: 'SECRET-ISH', extra: 'SECRET-TOO' } }), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /invalid config for exporter "csv"/);
      assert.match(error.message, /key "what" must be one of samples, events/);
      assert.match(error.message, /key "since" must be integer/);
      assert.match(error.message, /unknown key "extra"/);
      for (const value of ['bogus-value', 'SECRET-ISH', 'SECRET-TOO']) assert.ok(!error.message.includes(value), value);
      return true;
    });
    await assert.rejects(runExport(context, 'json', { out }), /missing key "what"/);
    await assert.rejects(runExport(context, 'hosts', { out, config: { verbose: true } }), /unknown key "verbose"/);
    await assert.rejects(runExport(context, 'prometheus', { out, config: { nodeExporterPort: 70000 } }), /key "nodeExporterPort" must be <= 65535/);
    assert.equal(out.buffer.length, 0, 'nothing written');
  });

  it('streams 20,000 samples to CSV through a slow output', async () => {
    const ups = await Ups.query(context.knex).where({ site_id: context.siteId, name: 'closet' }).first();
    const rows: SampleRow[] = Array.from({ length: 20_000 }, (_, index) => ({
      ups_id: ups!.id, ts: T0 + 10_000 + index * 1000, status: 'OL', battery_charge: 100 - (index % 50), ups_load: index % 100,
    }));
    await new SampleWriter(context.knex).insert(rows);
    const total = await sampleCount();
    const out = new Collector(1024);
    const result = await runExport(context, 'csv', { out, config: { what: 'samples' } });
    assert.equal(result.count, total);
    const records = parseCsv(out.buffer.toString('utf8'));
    assert.equal(records.length, total + 1);
    assert.equal(records[records.length - 1]![2], new Date(T0 + 10_000 + 19_999 * 1000).toISOString());
    assert.equal(result.sha256, createHash('sha256').update(out.buffer).digest('hex'));
  });

  it('walnut export writes a file atomically with mode 0600', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'samples.csv');
    const env = { WALNUT_DB_PATH: test.dbPath, WALNUT_DB_KEY: test.key, WALNUT_RULES_DIR: rulesDir, WALNUT_SITE: 'lab' };
    const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
    const stdout = process.stdout.write.bind(process.stdout);
    const stderr = process.stderr.write.bind(process.stderr);
    let printed = '';
    let summary = '';
    Object.assign(process.env, env);
    process.stdout.write = ((chunk: string) => { printed += chunk; return true; }) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => { summary += chunk; return true; }) as typeof process.stderr.write;
    try {
      await exportCommand('csv', { out: file, what: 'samples', since: new Date(T0).toISOString(), until: new Date(T0 + 1000).toISOString(), json: true });
      await exportCommand('hosts', { out: path.join(dir, 'hosts') });
      await assert.rejects(exportCommand('csv', { out: path.join(dir, 'bad.csv'), what: 'nothing' }), UsageError);
      await assert.rejects(exportCommand('csv', { what: 'samples', json: true }), /--json/);
    } finally {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    const result = JSON.parse(printed) as ExportResult;
    const written = fs.readFileSync(file);
    assert.equal(result.path, file);
    assert.equal(result.count, 2);
    assert.equal(result.sha256, createHash('sha256').update(written).digest('hex'));
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.match(summary, /^exported 4 items with hosts as hosts to .*hosts \(\d+ B, sha256 [0-9a-f]{64}\)\n$/);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['hosts', 'samples.csv'], 'no temp file left, nothing written for a refused export');
  });
});
