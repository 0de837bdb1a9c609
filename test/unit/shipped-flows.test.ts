import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { seedDefaultFlow } from '../../src/flows/seed';
import { formatProblem } from '../../src/policy/problems';
import { validateRules } from '../../src/policy/validate';
import { tempDir } from '../helpers/temp';

type FlowNode = Record<string, unknown> & { id: string; type: string };

const ROOT = path.resolve(__dirname, '../..');
const DEFAULT_FLOW = path.join(ROOT, 'flows/default.json');
const EXAMPLES_DIR = path.join(ROOT, 'examples');
const PLACEHOLDERS = ['@NUT_HOST@', '@NUT_PORT@', '@POLICY@', '@MQTT_HOST@', '@MQTT_PORT@'];
/** Properties that name another node on purpose: its tab, or a config node. */
const REFERENCE_PROPERTIES = new Set(['z', 'server', 'broker']);
const CONFIG_TYPES = new Set(['nut-server', 'mqtt-broker']);
const TARGET_TYPE_NODES: Record<string, string> = {
  ssh: 'shutdown-ssh', proxmox: 'shutdown-proxmox', tapo: 'switch-tapo', shelly: 'switch-shelly', ups: 'ups-power', wol: 'wake-on-lan',
};

const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;

/** walNUT's node types: the keys of package.json's "node-red".nodes. */
function walnutTypes(): Set<string> {
  const pkg = readJson(path.join(ROOT, 'package.json')) as { 'node-red': { nodes: Record<string, string> } };
  return new Set(Object.keys(pkg['node-red'].nodes));
}

/** Every type Node-RED's core nodes register in their editor files (registerType('…')). */
function coreTypes(): Set<string> {
  const types = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.html')) {
        for (const match of fs.readFileSync(file, 'utf8').matchAll(/registerType\(\s*['"]([^'"]+)['"]/g)) types.add(match[1]!);
      }
    }
  };
  walk(path.join(ROOT, 'node_modules/@node-red/nodes/core'));
  return types;
}

/** The number of outputs a walNUT node type declares in its editor file. */
function walnutOutputs(type: string): number {
  const html = fs.readFileSync(path.join(ROOT, 'nodes', type, `${type}.html`), 'utf8');
  const match = /\boutputs:\s*(\d+)/.exec(html);
  return match ? Number(match[1]) : 0;
}

function outputsOf(node: FlowNode): number {
  if (walnutTypes().has(node.type)) return walnutOutputs(node.type);
  if (node.type === 'switch' || node.type === 'function') return Number(node.outputs);
  if (['debug', 'mqtt out', 'comment'].includes(node.type)) return 0;
  throw new Error(`no output count known for ${node.type}`);
}

const wiresOf = (node: FlowNode): string[][] => (node.wires ?? []) as string[][];
const byId = (flows: FlowNode[]): Map<string, FlowNode> => new Map(flows.map((node) => [node.id, node]));
const only = (flows: FlowNode[], type: string): FlowNode => {
  const found = flows.filter((node) => node.type === type);
  assert.equal(found.length, 1, `one ${type} node`);
  return found[0]!;
};

/** Every string in a node, with the property path it sits at. */
function strings(value: unknown, at: string, out: Array<{ at: string; value: string }> = []): Array<{ at: string; value: string }> {
  if (typeof value === 'string') out.push({ at, value });
  else if (Array.isArray(value)) value.forEach((item, index) => strings(item, `${at}[${index}]`, out));
  else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) strings(item, at === '' ? key : `${at}.${key}`, out);
  return out;
}

/** What every shipped flow must get right, or Node-RED refuses it (or runs something else than meant). */
function checkFlow(name: string, flows: FlowNode[]): void {
  const known = new Set([...walnutTypes(), ...coreTypes(), 'tab']);
  const ids = byId(flows);
  assert.equal(ids.size, flows.length, `${name}: node ids are unique`);
  for (const node of flows) {
    const where = `${name}: ${node.id} (${node.type})`;
    assert.match(node.id, /^wn-[a-z0-9-]+-\d+$/, `${where}: ids look like wn-<something>-<n>`);
    assert.ok(known.has(node.type), `${where}: an unknown node type`);
    if (walnutTypes().has(node.type)) assert.equal(node.version, 1, `${where}: walNUT nodes carry version: 1`);
    if (node.z !== undefined) assert.equal(ids.get(node.z as string)?.type, 'tab', `${where}: z names a tab of the flow`);
    if (node.type === 'tab') continue;
    if (CONFIG_TYPES.has(node.type)) {
      // With x and y Node-RED would take it for a flow node.
      for (const key of ['x', 'y', 'wires']) assert.ok(!(key in node), `${where}: a config node has no ${key}`);
    } else {
      assert.equal(typeof node.z, 'string', `${where}: on a tab`);
      assert.ok(Number(node.x) >= 100 && Number(node.x) <= 1200 && Number(node.y) >= 60 && Number(node.y) <= 600, `${where}: x, y within the picture`);
      assert.equal(wiresOf(node).length, outputsOf(node), `${where}: one wire list per output`);
      for (const target of wiresOf(node).flat()) assert.ok(ids.has(target), `${where}: wired to ${target}, which is not in the flow`);
    }
    // A config node's own `broker` is a host name, never a reference.
    const references = CONFIG_TYPES.has(node.type) ? new Set<string>() : new Set([...REFERENCE_PROPERTIES].filter((key) => key !== 'z' && node[key] !== undefined));
    for (const key of references) assert.ok(CONFIG_TYPES.has(ids.get(node[key] as string)?.type ?? ''), `${where}: ${key} names a config node`);
    // Node-RED takes any property value equal to a node's id for a config-node reference.
    for (const { at, value } of strings(node, '')) {
      if (at === 'id' || at === 'z' || references.has(at) || /^wires\[/.test(at)) continue;
      assert.ok(!ids.has(value), `${where}: property ${at} = "${value}" is another node's id`);
    }
  }
}

const defaultDocument = (): { format: number; description: string; flows: FlowNode[] } =>
  readJson(DEFAULT_FLOW) as { format: number; description: string; flows: FlowNode[] };
const exampleFiles = (): string[] => fs.readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.json')).sort();
const example = (file: string): FlowNode[] => readJson(path.join(EXAMPLES_DIR, file)) as FlowNode[];

/** The notify function's code, run as Node-RED runs a function node's body. */
function notify(flows: FlowNode[]): (msg: Record<string, unknown>) => Record<string, unknown> | null {
  const node = flows.find((candidate) => candidate.type === 'function' && candidate.name === 'notify');
  assert.ok(node, 'a function node "notify"');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the shipped function node's own code
  const body = new Function('msg', node.func as string) as (msg: Record<string, unknown>) => Record<string, unknown> | null | undefined;
  return (msg) => body(structuredClone(msg)) ?? null;
}

describe('shipped flows: flows/default.json and examples/', () => {
  it('the default flow is format 1 and a valid flow', () => {
    const document = defaultDocument();
    assert.equal(document.format, 1);
    assert.ok(document.description.length > 0);
    checkFlow('default.json', document.flows);
    assert.equal(document.flows.filter((node) => node.type === 'tab').length, 1);
    assert.equal(only(document.flows, 'tab').label, 'walNUT');
  });

  it('the check catches a property value equal to a node id (Node-RED: "Circular config node dependency")', () => {
    const flows = structuredClone(defaultDocument().flows);
    const policy = only(flows, 'policy');
    policy.policy = 'wn-switch-1';
    assert.throws(() => checkFlow('trap', flows), /property policy = "wn-switch-1" is another node's id/);
    policy.policy = 'demo';
    only(flows, 'nut-ups').server = 'wn-tab-1';
    assert.throws(() => checkFlow('trap', flows), /server names a config node/);
  });

  it('every example is a valid flow on a tab of its own, with ids of its own and no placeholders', () => {
    const files = exampleFiles();
    assert.deepEqual(files, ['load-shedding-plugs.json', 'notify-only.json', 'proxmox-cluster.json']);
    const seen = new Set(defaultDocument().flows.map((node) => node.id));
    for (const file of files) {
      const flows = example(file);
      assert.ok(Array.isArray(flows), `${file}: a plain array of nodes`);
      checkFlow(file, flows);
      assert.equal(flows.filter((node) => node.type === 'tab').length, 1, `${file}: one tab`);
      assert.ok(flows.some((node) => node.type === 'comment' && String(node.info).length > 100), `${file}: a comment that explains it`);
      for (const node of flows) {
        assert.ok(!seen.has(node.id), `${file}: ${node.id} is used by another shipped flow`);
        seen.add(node.id);
        for (const { at, value } of strings(node, '')) assert.doesNotMatch(value, /@[A-Z_]+@/, `${file}: ${node.id}.${at} has a placeholder`);
      }
    }
  });

  it('the default flow holds each placeholder exactly once, where the hub fills it in', () => {
    const flows = defaultDocument().flows;
    const places = new Map<string, string[]>();
    for (const node of flows) {
      for (const { at, value } of strings(node, '')) {
        if (/^@[A-Z_]+@$/.test(value)) places.set(value, [...(places.get(value) ?? []), `${node.type}.${at}`]);
      }
    }
    assert.deepEqual(Object.fromEntries(places), {
      '@NUT_HOST@': ['nut-server.host'], '@NUT_PORT@': ['nut-server.port'], '@POLICY@': ['policy.policy'],
      '@MQTT_HOST@': ['mqtt-broker.broker'], '@MQTT_PORT@': ['mqtt-broker.port'],
    });
    for (const placeholder of PLACEHOLDERS) assert.ok(places.has(placeholder), placeholder);
  });

  it('the default flow: nut-ups feeds the policy, the switch sends each target type to its driver, every driver answers the policy', () => {
    const flows = defaultDocument().flows;
    const ids = byId(flows);
    const server = only(flows, 'nut-server');
    assert.deepEqual({ ...server, id: undefined, name: undefined }, {
      id: undefined, name: undefined, type: 'nut-server', version: 1, host: '@NUT_HOST@', port: '@NUT_PORT@', pollInterval: 1000, retryDelay: 1000,
      retries: 0, noComm: 300, tls: false, tlsVerify: true,
    });
    const ups = only(flows, 'nut-ups');
    const policy = only(flows, 'policy');
    assert.equal(ups.server, server.id);
    assert.equal(ups.ups, '');
    assert.equal(ups.output, 'change');
    assert.ok(wiresOf(ups)[0]!.includes(policy.id), 'nut-ups → policy');

    const [requests, decisions] = wiresOf(policy);
    assert.equal(requests!.length, 1);
    const sw = ids.get(requests![0]!)!;
    assert.equal(sw.type, 'switch');
    assert.equal(sw.property, 'payload.targetType');
    assert.equal(sw.propertyType, 'msg');
    assert.equal(sw.checkall, 'false');
    const rules = sw.rules as Array<{ t: string; v: string; vt: string }>;
    assert.equal(rules.length, Object.keys(TARGET_TYPE_NODES).length);
    assert.equal(Number(sw.outputs), rules.length);
    assert.deepEqual(new Set(rules.map((rule) => rule.v)), new Set(Object.keys(TARGET_TYPE_NODES)));
    rules.forEach((rule, index) => {
      assert.deepEqual({ t: rule.t, vt: rule.vt }, { t: 'eq', vt: 'str' });
      const wired = wiresOf(sw)[index]!;
      assert.equal(wired.length, 1, `switch output ${index} (${rule.v}) goes to one node`);
      const driver = ids.get(wired[0]!)!;
      assert.equal(driver.type, TARGET_TYPE_NODES[rule.v], `switch output ${index}: ${rule.v} requests go to ${TARGET_TYPE_NODES[rule.v]}`);
      assert.equal(driver.target, '', `${driver.type} acts on the requests' targets`);
    });
    for (const type of Object.values(TARGET_TYPE_NODES)) {
      const driver = only(flows, type);
      assert.deepEqual(wiresOf(driver), [[policy.id]], `${type}'s results go back into the policy`);
    }

    const notifyNode = flows.find((node) => node.type === 'function' && node.name === 'notify')!;
    assert.ok(wiresOf(ups)[0]!.includes(notifyNode.id), 'nut-ups → notify');
    assert.deepEqual(decisions, [notifyNode.id], 'policy decisions → notify');
    const out = wiresOf(notifyNode)[0]!.map((id) => ids.get(id)!);
    assert.deepEqual(out.map((node) => node.type).sort(), ['debug', 'mqtt out']);
    assert.equal(out.find((node) => node.type === 'debug')!.name, 'notifications');

    const archive = only(flows, 'archive');
    assert.equal(archive.schedule, '0 3 * * *');
    assert.equal(archive.backupType, 'full');
    const backups = wiresOf(archive)[0]!.map((id) => ids.get(id)!);
    assert.deepEqual(backups.map((node) => [node.type, node.name]), [['debug', 'backups']]);
  });

  it('the MQTT nodes: topic from the message, QoS 1, no retain, a broker without credentials', () => {
    for (const [name, flows] of [['default.json', defaultDocument().flows], ['notify-only.json', example('notify-only.json')]] as const) {
      const out = only(flows, 'mqtt out');
      const broker = only(flows, 'mqtt-broker');
      assert.deepEqual([out.topic, out.qos, out.retain, out.broker], ['', '1', 'false', broker.id], name);
      assert.equal(broker.clientid, 'walnut-notify', name);
      assert.equal(broker.protocolVersion, '4', name);
      assert.equal(typeof broker.port, 'string', name);
      assert.equal(broker.usetls, false, name);
      assert.equal(broker.autoConnect, true, name);
      for (const node of flows) assert.ok(!('credentials' in node), `${name}: ${node.id} carries no credentials`);
      assert.doesNotMatch(JSON.stringify(flows), /"(user|password)"\s*:/, `${name}: no login in the JSON`);
    }
  });

  it('seeding fills every placeholder: the port becomes a number, the flow stays valid', () => {
    const seed = seedDefaultFlow({
      file: DEFAULT_FLOW, nut: { host: 'nut.lan', port: 3494 }, policy: 'demo', mqtt: { host: '127.0.0.1', port: 1884 }, credentialSecret: 'x'.repeat(32),
    });
    assert.equal(seed.credentials, null);
    assert.doesNotMatch(JSON.stringify(seed.flows), /@[A-Z_]+@/);
    const server = only(seed.flows, 'nut-server');
    assert.deepEqual([server.host, server.port], ['nut.lan', 3494]);
    assert.equal(only(seed.flows, 'policy').policy, 'demo');
    assert.deepEqual([only(seed.flows, 'mqtt-broker').broker, only(seed.flows, 'mqtt-broker').port], ['127.0.0.1', '1884']);
    checkFlow('seeded default', seed.flows);
  });

  it('notify passes on ONBATT and the start and end of real runs, as walnut/notify/<kind>', () => {
    const run = notify(defaultDocument().flows);
    const ts = Date.UTC(2025, 0, 2, 3, 4, 5);
    const snapshot = { server: '127.0.0.1:3493', ups: 'ups', ts, flags: ['OB'] };
    const onbatt = run({ topic: 'ups', payload: snapshot, event: { type: 'ONBATT', severity: 'warning', server: '127.0.0.1:3493', ups: 'ups', ts, message: 'ups is on battery' } });
    assert.deepEqual(onbatt, { topic: 'walnut/notify/onbatt', payload: { kind: 'onbatt', ups: 'ups', at: '2025-01-02T03:04:05.000Z', text: 'ups is on battery' } });
    assert.equal(run({ topic: 'ups', payload: snapshot, event: { type: 'ONLINE', ups: 'ups', ts, message: 'back' } }), null);
    assert.equal(run({ topic: 'ups', payload: snapshot }), null, 'a plain reading');

    const decision = (kind: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      topic: kind, payload: { policy: 'demo', dryRun: false, decision: { kind, t: ts, runId: 'r1', because: { rule: 'on_battery for 30s', input: 'ups OB' }, ...extra } },
    });
    const started = run(decision('trigger'));
    assert.equal(started?.topic, 'walnut/notify/run_started');
    assert.deepEqual({ ...(started?.payload as object), text: undefined }, { kind: 'run_started', policy: 'demo', runId: 'r1', at: '2025-01-02T03:04:05.000Z', text: undefined });
    assert.match((started?.payload as { text: string }).text, /demo.*started.*on_battery for 30s/);
    const finished = run(decision('run_end', { outcome: 'done' }));
    assert.equal(finished?.topic, 'walnut/notify/run_finished');
    assert.equal((finished?.payload as { kind: string }).kind, 'run_finished');
    assert.match((finished?.payload as { text: string }).text, /demo.*finished.*done/);
    for (const kind of ['stage_start', 'action', 'verify', 'stage_end', 'cancel', 'restore']) assert.equal(run(decision(kind)), null, kind);
    const simulated = decision('trigger');
    (simulated.payload as Record<string, unknown>).simulated = true;
    assert.equal(run(simulated), null, 'a simulated outage is not news');

    // The notify-only example runs the same code.
    assert.equal(example('notify-only.json').find((node) => node.name === 'notify')!.func, defaultDocument().flows.find((node) => node.name === 'notify')!.func);
  });

  it('examples: the plug flow and the Proxmox flow wire their drivers back to the policy; notify-only has no policy', () => {
    const plugs = example('load-shedding-plugs.json');
    const plugPolicy = only(plugs, 'policy');
    const sw = byId(plugs).get(wiresOf(plugPolicy)[0]![0]!)!;
    assert.equal(sw.property, 'payload.targetType');
    const rules = (sw.rules as Array<{ v: string }>).map((rule) => rule.v);
    assert.deepEqual(rules, ['tapo', 'shelly']);
    rules.forEach((type, index) => {
      const driver = byId(plugs).get(wiresOf(sw)[index]![0]!)!;
      assert.equal(driver.type, TARGET_TYPE_NODES[type]);
      assert.deepEqual(wiresOf(driver), [[plugPolicy.id]]);
    });

    const pve = example('proxmox-cluster.json');
    const pvePolicy = only(pve, 'policy');
    const proxmox = only(pve, 'shutdown-proxmox');
    assert.deepEqual(wiresOf(pvePolicy)[0], [proxmox.id]);
    assert.deepEqual(wiresOf(proxmox), [[pvePolicy.id]]);

    const monitoring = example('notify-only.json');
    assert.ok(!monitoring.some((node) => node.type === 'policy' || Object.values(TARGET_TYPE_NODES).includes(node.type)), 'no policy, no action');
    const server = only(monitoring, 'nut-server');
    assert.deepEqual([server.host, server.port], ['127.0.0.1', 3493]);
    const ups = only(monitoring, 'nut-ups');
    assert.equal(ups.server, server.id);
    assert.match(String(only(monitoring, 'comment').info), /walnut mqtt credentials/);
  });

  it("the examples' policies exist in rules/ or are given in their comment, and that YAML is valid", async () => {
    const shipped = await validateRules([path.join(ROOT, 'rules')]);
    const shippedPolicies = new Set<string>();
    for (const file of fs.readdirSync(path.join(ROOT, 'rules')).filter((name) => name.endsWith('.yaml'))) {
      for (const match of fs.readFileSync(path.join(ROOT, 'rules', file), 'utf8').matchAll(/^name:\s*(\S+)/gm)) shippedPolicies.add(match[1]!);
    }
    assert.equal(shipped.errors, 0);
    for (const file of exampleFiles()) {
      for (const node of example(file).filter((candidate) => candidate.type === 'policy')) {
        const name = node.policy as string;
        if (shippedPolicies.has(name)) continue;
        const yaml = example(file).map((candidate) => /```yaml\n([\s\S]*?)\n```/.exec(typeof candidate.info === 'string' ? candidate.info : '')?.[1]).find((text) => text !== undefined);
        assert.ok(yaml, `${file}: policy ${name} is neither in rules/ nor given in a comment`);
        assert.match(yaml, new RegExp(`^name: ${name}$`, 'm'), `${file}: the comment's YAML defines ${name}`);
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, `${name}.yaml`), yaml);
        const report = await validateRules([dir]);
        assert.deepEqual(report.problems.map(formatProblem), [], `${file}: the comment's policy validates cleanly`);
      }
    }
  });

  it('rules/demo.yaml: the demo targets and policy validate cleanly with the other shipped rules', async () => {
    const report = await validateRules([path.join(ROOT, 'rules')]);
    assert.deepEqual(report.problems.map(formatProblem), []);
    const demo = fs.readFileSync(path.join(ROOT, 'rules/demo.yaml'), 'utf8');
    for (const name of ['demo-plug', 'demo-lamp', 'demo-pve']) assert.match(demo, new RegExp(`^ {2}${name}:$`, 'm'));
    assert.match(demo, /^name: demo$/m);
    assert.match(demo, /^dry_run: true/m);
    assert.match(demo, /^ups: \[ups\]$/m);
  });
});
