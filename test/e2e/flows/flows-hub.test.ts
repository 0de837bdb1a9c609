/**
 * Versioned flows on a running hub: the default flow seeded on first start,
 * a deploy from the editor's API as a new revision, credentials never in
 * clear on disk, list / diff / export / rollback from the CLI.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnHub, type RunningHub } from '../../helpers/hub';
import { exited, ROOT, walnut } from '../../helpers/process';
import { tempDir } from '../../helpers/temp';

const CANARY = 'nut-password-canary-5d0c';

interface FlowsResponse { rev: string; flows: Array<Record<string, unknown> & { id: string; type: string }> }

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

describe('versioned flows on a running hub', function () {
  this.timeout(120_000);
  let hub: RunningHub;
  const dataDir = tempDir();
  const env = { WALNUT_DATA_DIR: dataDir, WALNUT_RULES_DIR: path.join(ROOT, 'rules') };
  const api = (route: string, init: RequestInit = {}): Promise<Response> =>
    fetch(new URL(route, hub.http), { ...init, headers: { 'Node-RED-API-Version': 'v2', 'Content-Type': 'application/json', ...(init.headers ?? {}) } });
  const revisions = async (): Promise<Array<{ version: number; actor: string; sha256: string; message: string | null }>> =>
    JSON.parse((await walnut(['flows', 'list', '--json'], env)).stdout) as Array<{ version: number; actor: string; sha256: string; message: string | null }>;

  before(async () => {
    hub = await spawnHub(env);
  });
  after(async () => {
    if (hub.child.exitCode === null) {
      hub.child.kill('SIGTERM');
      await exited(hub.child);
    }
  });

  it('seeds the default flow once, wired to the simulated UPS and the demo policy', async () => {
    const { flows } = (await (await api('flows')).json()) as FlowsResponse;
    const server = flows.find((node) => node.type === 'nut-server')!;
    assert.equal(server.host, '127.0.0.1');
    assert.equal(server.port, Number(hub.nut[0]!.split(':')[1]), 'the flow watches the built-in simulator');
    assert.equal(flows.find((node) => node.type === 'policy')!.policy, 'demo');
    assert.ok(flows.some((node) => node.type === 'archive' && node.schedule === '0 3 * * *'));
    assert.ok(!JSON.stringify(flows).includes('@'), 'no placeholder left');
    const examples = (await (await api('library/examples/flows/walnut-hub')).json()) as Array<{ fn: string }>;
    assert.deepEqual(examples.map((entry) => entry.fn), ['load-shedding-plugs', 'notify-only', 'proxmox-cluster'], 'the examples show under Import > Examples');
    const [seed] = await revisions();
    assert.deepEqual([seed!.version, seed!.actor], [1, 'walnut']);
    await hub.waitFor(/"service":"flows"|Started flows/);
  });

  it('stores a deploy as a revision, keeps credentials out of every file in clear, and diffs, exports and rolls back', async () => {
    const before = (await (await api('flows')).json()) as FlowsResponse;
    const flows = before.flows.map((node) => {
      if (node.type === 'nut-server') return { ...node, credentials: { username: 'monuser', password: CANARY } };
      if (node.type === 'nut-ups') return { ...node, name: 'all UPSes (renamed)' };
      return node;
    });
    const deployed = await api('flows', { method: 'POST', body: JSON.stringify({ flows, rev: before.rev }) });
    assert.equal(deployed.status, 200, await deployed.text());
    const list = await revisions();
    assert.deepEqual(list.map((revision) => [revision.version, revision.actor]), [[2, 'editor'], [1, 'walnut']]);

    const diff = await walnut(['flows', 'diff', '1', '2'], env);
    assert.match(diff.stdout, /^~ \S+ nut-ups "all UPSes \(renamed\)": name$/m);

    for (const file of filesUnder(dataDir)) assert.ok(!fs.readFileSync(file).includes(CANARY), `${file} holds the credential in clear`);
    const exported = await walnut(['flows', 'export'], env);
    assert.equal(exported.code, 0, exported.stderr);
    assert.ok(!exported.stdout.includes(CANARY) && !exported.stdout.includes('"credentials"'), 'export strips credentials');
    assert.ok((JSON.parse(exported.stdout) as unknown[]).length === flows.length);

    const rollback = await walnut(['flows', 'rollback', '1'], env);
    assert.equal(rollback.code, 0, rollback.stderr);
    assert.match(rollback.stdout, /revision 3: the flows of revision 1/);
    await hub.waitFor(/"version":3,"msg":"loaded the newer flow revision"/);
    const [third] = await revisions();
    assert.deepEqual([third!.version, third!.message], [3, 'rollback to 1']);
    // The running hub loaded revision 3: the editor sees the seeded flow again.
    const current = (await (await api('flows')).json()) as FlowsResponse;
    assert.equal(current.rev, third!.sha256);
  });
});
