import { storeBackedRunner } from '../actions/hub-runner';
import { createDriver } from '../actions/registry';
import { fetchHostKey } from '../actions/ssh';
import { sameFingerprint, sshFingerprint, sshKeyAlgorithm } from '../actions/ssh-host-key';
import { recordTrust, trustedFingerprint } from '../actions/trust-store';
import { EventBus } from '../bus';
import { HostKeyError, TargetConfigError, UsageError } from '../errors';
import { silentLogger } from '../logger';
import { parseDuration } from '../policy/duration';
import { buildRuleSet, type RuleSet } from '../policy/rule-set';
import { loadRulesDir } from '../policy/rules-dir';
import { OPS, SUPPORTED_OPS, type Op, type Target } from '../policy/spec';
import { TrustedKey } from '../store/models';
import { ensureSite } from '../store/sites';
import { Store } from '../store/store';
import { cliSettings, type GlobalOptions, printJson, println } from './common';
import { cliActor } from './users-commands';

interface Opened {
  store: Store;
  siteId: number;
  ruleSet: RuleSet;
}

async function withTargets<T>(options: GlobalOptions, work: (opened: Opened) => Promise<T>): Promise<T> {
  const settings = cliSettings(options);
  const { ruleSet, rejected } = buildRuleSet(await loadRulesDir(settings.rulesDir));
  for (const [file] of rejected) process.stderr.write(`warning: ${file} is not loaded (see walnut rules validate)\n`);
  const store = await Store.open({ settings });
  try {
    return await work({ store, siteId: (await ensureSite(store.knex, settings.site)).id, ruleSet });
  } finally {
    await store.close();
  }
}

function targetNamed(ruleSet: RuleSet, name: string): Target {
  const target = ruleSet.targets.get(name)?.target;
  if (!target) throw new UsageError(`no target named "${name}" in the rules folder (there are: ${[...ruleSet.targets.keys()].join(', ') || 'none'})`);
  return target;
}

function address(target: Target): string {
  switch (target.type) {
    case 'ssh': return `${target.user}@${target.host}:${target.port ?? 22}`;
    case 'proxmox': return `${target.url} node ${target.node}`;
    case 'tapo': return target.host;
    case 'shelly': return `${target.host} channel ${target.channel ?? 0}`;
    case 'wol': return `${target.mac} via ${target.address}:${target.port ?? 9}`;
    case 'ups': return `${target.ups}${target.method === 'fsd' ? ' (fsd)' : ''}`;
  }
}

/** `walnut targets list [--json]`. */
export async function targetsListCommand(options: GlobalOptions & { json?: boolean }): Promise<void> {
  await withTargets(options, async ({ store, siteId, ruleSet }) => {
    const rows = await Promise.all([...ruleSet.targets.values()].map(async ({ name, target }) => {
      let trust: string | undefined;
      if (target.type === 'ssh') {
        const trusted = await trustedFingerprint(store.knex, siteId, { host: target.host, port: target.port ?? 22 });
        trust = target.host_key_fingerprint ? 'pinned in the rules' : trusted ? 'trusted' : 'not trusted (walnut targets trust)';
      }
      return { name, type: target.type, address: address(target), ops: SUPPORTED_OPS[target.type], watts: target.watts ?? null, self: target.self === true, ...(trust ? { hostKey: trust } : {}) };
    }));
    if (options.json) return printJson(rows);
    for (const row of rows) {
      println(`${row.name.padEnd(16)} ${row.type.padEnd(8)} ${row.address}  ops: ${row.ops.join(', ')}${row.watts === null ? '' : `  ${row.watts} W`}${row.self ? '  (this host)' : ''}${row.hostKey ? `  host key: ${row.hostKey}` : ''}`);
    }
    if (rows.length === 0) println('no targets in the rules folder');
  });
}

/** `walnut targets probe NAME [--json]`: read-only; exits 1 when the target cannot be reached or logged in to. */
export async function targetsProbeCommand(name: string, options: GlobalOptions & { json?: boolean; timeout?: string }): Promise<void> {
  const timeoutMs = parseTimeout(options.timeout, 10_000);
  await withTargets(options, async ({ store, siteId, ruleSet }) => {
    const target = targetNamed(ruleSet, name);
    const secrets = store.secrets();
    const driver = createDriver(name, target, { secret: (secret) => secrets.get(secret), trustedFingerprint: (endpoint) => trustedFingerprint(store.knex, siteId, endpoint) });
    const probe = await driver.probe({ timeoutMs, signal: AbortSignal.timeout(timeoutMs + 1000) });
    if (target.type !== 'wol' && (!probe.reachable || !probe.authenticated)) process.exitCode = 1;
    if (options.json) printJson({ target: name, ...probe });
    else println(`${probe.detail} (reachable: ${probe.reachable ? 'yes' : 'no'}, logged in: ${probe.authenticated ? 'yes' : 'no'}, state: ${probe.state})`);
  });
}

/** `walnut targets run NAME --op OP [--dry-run] [--timeout D] [--json]`: one action through the runner, with its job row. */
export async function targetsRunCommand(name: string, options: GlobalOptions & { op: string; dryRun?: boolean; timeout?: string; json?: boolean }): Promise<void> {
  if (!(OPS as readonly string[]).includes(options.op)) throw new UsageError(`--op takes one of ${OPS.join(', ')}`);
  const timeoutMs = parseTimeout(options.timeout, 120_000);
  await withTargets(options, async ({ store, siteId, ruleSet }) => {
    const target = targetNamed(ruleSet, name);
    if (!SUPPORTED_OPS[target.type].includes(options.op as Op)) throw new UsageError(`a ${target.type} target cannot ${options.op}; it can: ${SUPPORTED_OPS[target.type].join(', ')}`);
    const runner = storeBackedRunner(store, siteId, { current: () => ruleSet }, new EventBus(), silentLogger());
    const result = await runner.submit({ target: name, op: options.op as Op, timeout: timeoutMs, dryRun: options.dryRun === true });
    if (result.state !== 'completed') process.exitCode = 1;
    if (options.json) return printJson(result);
    println(`job ${result.jobId}: ${options.op} ${name}${result.dryRun ? ' (dry run)' : ''}: ${result.state}${result.error ? `: ${result.error}` : result.detail ? `: ${result.detail}` : ''}`);
  });
}

/** `walnut targets trust NAME [--expect FINGERPRINT]`: shows the host key the target presents and records it. */
export async function targetsTrustCommand(name: string, options: GlobalOptions & { expect?: string; json?: boolean }): Promise<void> {
  await withTargets(options, async ({ store, siteId, ruleSet }) => {
    const target = targetNamed(ruleSet, name);
    if (target.type !== 'ssh') throw new TargetConfigError(`${name} is a ${target.type} target: only ssh host keys are trusted here in this build`);
    const port = target.port ?? 22;
    const blob = await fetchHostKey(target.host, port, 10_000);
    const fingerprint = sshFingerprint(blob);
    const algorithm = sshKeyAlgorithm(blob);
    const pinned = target.host_key_fingerprint;
    if (pinned && !sameFingerprint(pinned, fingerprint)) {
      throw new HostKeyError(`${name} (${target.host}:${port}) presents ${algorithm} ${fingerprint}, but the rules pin ${pinned}: not recorded`);
    }
    if (options.expect && !sameFingerprint(options.expect, fingerprint)) {
      throw new HostKeyError(`${name} (${target.host}:${port}) presents ${algorithm} ${fingerprint}, not the expected ${options.expect}: not recorded`);
    }
    const previous = await TrustedKey.query(store.knex).findOne({ target: name, kind: 'ssh-hostkey' });
    await recordTrust(store.knex, { target: name, host: target.host, port, algorithm, fingerprint }, cliActor(), siteId);
    if (options.json) return printJson({ target: name, host: target.host, port, algorithm, fingerprint, replaced: previous?.fingerprint ?? null });
    println(`${name} (${target.host}:${port}) presents ${algorithm} ${fingerprint}`);
    println(previous && !sameFingerprint(previous.fingerprint, fingerprint) ? `trusted (replacing ${previous.fingerprint})` : 'trusted');
  });
}

function parseTimeout(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined || ms === 0) throw new UsageError('--timeout takes a duration such as 30s or 2m');
  return ms;
}
