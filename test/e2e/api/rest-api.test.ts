/**
 * The REST API of a real spawned hub (built dist, built-in simulated UPS):
 * keys made and revoked with the walnut CLI while it runs, every route's
 * answer checked against the OpenAPI document, and a canary secret that
 * must never appear in any answer or log.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HttpMethod, OpenApiDocument } from '../../../src/api/openapi';
import { spawnHub, type RunningHub } from '../../helpers/hub';
import { ResponseChecker } from '../../helpers/openapi';
import { exited, walnut } from '../../helpers/process';
import { tempDir } from '../../helpers/temp';
import { CANARY, RULES } from '../../unit/api/api-harness';

interface Answer {
  status: number;
  text: string;
  body: unknown;
  headers: Headers;
}

describe('REST API on a running hub', function () {
  this.timeout(120_000);
  let hub: RunningHub;
  let env: Record<string, string>;
  let key: string;
  let prefix: string;
  let checker: ResponseChecker;
  const answers: string[] = [];

  const call = async (method: HttpMethod, route: string, bearer: string | null = key): Promise<Answer> => {
    const response = await fetch(`${hub.http}api/v1${route}`, {
      method: method.toUpperCase(),
      headers: { 'user-agent': 'walnut-e2e/1', ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }) },
    });
    const text = await response.text();
    answers.push(text);
    return { status: response.status, text, body: JSON.parse(text) as unknown, headers: response.headers };
  };

  before(async () => {
    const dataDir = tempDir();
    const rulesDir = path.join(dataDir, 'rules');
    fs.mkdirSync(rulesDir);
    fs.writeFileSync(path.join(rulesDir, 'drill.yaml'), RULES);
    env = { WALNUT_DATA_DIR: dataDir, WALNUT_RULES_DIR: rulesDir };
    const secret = await walnut(['secrets', 'set', 'ssh/nas', '--stdin'], env, CANARY);
    assert.equal(secret.code, 0, secret.stderr);
    const created = await walnut(['apikeys', 'create', 'ci', '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    ({ key, prefix } = JSON.parse(created.stdout) as { key: string; prefix: string });
    assert.match(key, /^wn_[a-f0-9]{12}_[A-Za-z0-9_-]{43}$/);
    hub = await spawnHub(env);
    await hub.waitFor(/UPS registered/);
    const openapi = await call('get', '/openapi.json', null);
    assert.equal(openapi.status, 200);
    checker = new ResponseChecker(openapi.body as OpenApiDocument);
  });

  after(async () => {
    if (hub?.child.exitCode === null) {
      hub.child.kill('SIGTERM');
      await exited(hub.child);
    }
  });

  it('lists keys without the key itself', async () => {
    const list = await walnut(['apikeys', 'list', '--json'], env);
    assert.equal(list.code, 0, list.stderr);
    const keys = JSON.parse(list.stdout) as Array<{ name: string; prefix: string; revokedAt: string | null }>;
    assert.deepEqual(keys.map((entry) => [entry.name, entry.prefix, entry.revokedAt]), [['ci', prefix, null]]);
    assert.ok(!list.stdout.includes(key.slice(16)), 'the secret part is never listed');
  });

  it("answers every route as the OpenAPI document says, with the hub's real data", async () => {
    const ups = await call('get', '/ups');
    assert.equal(ups.status, 200, ups.text);
    checker.check('/ups', 'get', 200, ups.body);
    const [first] = (ups.body as { items: Array<{ id: number; server: string; name: string }> }).items;
    assert.ok(first, 'the simulated UPS is listed');
    const cases: Array<[HttpMethod, string, string, number]> = [
      ['get', '/health', '/health', 200],
      ['get', '/ups/{id}', `/ups/${first.id}`, 200],
      ['get', '/ups/{server}/{name}', `/ups/${first.server}/${first.name}`, 200],
      ['get', '/ups/{id}/samples', `/ups/${first.id}/samples?limit=2`, 200],
      ['get', '/ups/{server}/{name}/samples', `/ups/${first.server}/${first.name}/samples?from=2026-01-01T00:00:00Z`, 200],
      ['get', '/ups/{id}', '/ups/999999', 404],
      ['get', '/events', '/events?limit=3', 200],
      ['get', '/events', '/events?limit=9999', 400],
      ['get', '/policies', '/policies', 200],
      ['get', '/policies/{name}', '/policies/drill', 200],
      ['post', '/policies/{name}/disarm', '/policies/drill/disarm', 200],
      ['post', '/policies/{name}/arm', '/policies/drill/arm', 200],
      ['post', '/policies/{name}/simulate', '/policies/drill/simulate', 200],
      ['post', '/policies/{name}/simulate', '/policies/drill/simulate?action=stop', 200],
      ['get', '/jobs', '/jobs', 200],
      ['get', '/targets', '/targets', 200],
      ['get', '/archives', '/archives', 200],
      ['get', '/ups', '/ups', 401],
    ];
    for (const [method, route, url, status] of cases) {
      const answer = await call(method, url, status === 401 ? 'wn_000000000000_not-a-key' : key);
      assert.equal(answer.status, status, `${method} ${url}: ${answer.text}`);
      checker.check(route, method, status, answer.body);
    }
    const samples = (await call('get', `/ups/${first.server}/${first.name}/samples?from=2026-01-01T00:00:00Z`)).body as { source: string };
    assert.equal(samples.source, 'rollups', 'a range far longer than 48 h comes from the rollups');
  });

  it('audits arm and disarm with the key name, address and user agent', async () => {
    const audit = await walnut(['audit', '--action', 'policy.override', '--json'], env);
    assert.equal(audit.code, 0, audit.stderr);
    const rows = JSON.parse(audit.stdout) as Array<{ actor: string; action: string; after: { armed: boolean | null }; ip: string; userAgent: string }>;
    assert.deepEqual(rows.map((row) => [row.actor, row.action, row.after.armed]), [['api:ci', 'policy.override.set', false], ['api:ci', 'policy.override.set', true]]);
    assert.equal(rows[0]?.ip, '127.0.0.1');
    assert.equal(rows[0]?.userAgent, 'walnut-e2e/1');
  });

  it('never shows the canary secret or the key in an answer or the log', () => {
    assert.ok(answers.length > 15);
    for (const text of answers) assert.ok(!text.includes(CANARY), text);
    assert.ok(!hub.output().includes(CANARY), 'not in the log');
    assert.ok(!hub.output().includes(key), 'the key is not in the log');
  });

  it('refuses a key revoked with the CLI on its next request, and audits creation and revocation', async () => {
    assert.equal((await call('get', '/policies')).status, 200);
    const revoked = await walnut(['apikeys', 'revoke', prefix], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /revoked API key "ci"/);
    const refused = await call('get', '/policies');
    assert.equal(refused.status, 401);
    assert.equal((refused.body as { error: { code: string } }).error.code, 'API_UNAUTHORIZED');
    const again = await walnut(['apikeys', 'revoke', 'ci'], env);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /no active API key named or prefixed "ci"/);
    const audit = await walnut(['audit', '--action', 'apikey'], env);
    assert.equal(audit.code, 0, audit.stderr);
    const lines = audit.stdout.trim().split('\n');
    assert.equal(lines.length, 2, audit.stdout);
    assert.match(lines[0] ?? '', /cli:\S+\s+apikey\.created\s+api_key\/ci\//);
    assert.match(lines[1] ?? '', /cli:\S+\s+apikey\.revoked\s+api_key\/ci\//);
    assert.ok(!audit.stdout.includes(key.slice(16)), 'the key is never audited');
  });
});
