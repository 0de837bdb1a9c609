/** `walnut flows list | show N | diff A B | rollback N | export`: the flow revisions in the store. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { describeNode, diffFlows, withoutCredentials } from '../flows/flow-diff';
import { FlowStore } from '../flows/flow-store';
import { UsageError } from '../errors';
import { ensureSite } from '../store/sites';
import { Store } from '../store/store';
import { cliSettings, type GlobalOptions, printJson, println } from './common';

type Globals = (command: Command) => GlobalOptions;

async function withFlows<T>(options: GlobalOptions, work: (flows: FlowStore) => Promise<T>): Promise<T> {
  const settings = cliSettings(options);
  const store = await Store.open({ settings });
  try {
    return await work(new FlowStore(store.knex, (await ensureSite(store.knex, settings.site)).id));
  } finally {
    await store.close();
  }
}

function version(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`"${text}" is not a revision number (see walnut flows list)`);
  return value;
}

export function registerFlowsCommands(program: Command, globals: Globals): void {
  const flows = program.command('flows').description('the flow revisions: every deploy from the editor is one');
  flows.command('list').description('revisions, newest first: version, time, who, sha256, nodes, message').option('--json', 'machine-readable output')
    .action((options: { json?: boolean }, command: Command) => withFlows(globals(command), async (store) => {
      const revisions = await store.list();
      if (options.json) return printJson(revisions.map(({ flows: nodes, ...revision }) => ({ ...revision, createdAt: new Date(revision.createdAt).toISOString(), nodes: nodes.length })));
      if (revisions.length === 0) return println('no revisions yet: the hub seeds the default flow on its first start');
      for (const revision of revisions) {
        println(`${String(revision.version).padStart(4)}  ${new Date(revision.createdAt).toISOString()}  ${revision.actor.padEnd(20)} ${revision.sha256.slice(0, 12)}  ${String(revision.flows.length).padStart(3)} nodes${revision.message ? `  ${revision.message}` : ''}`);
      }
    }));
  flows.command('show').description('the flows of a revision (JSON, without credentials)').argument('<version>')
    .action((text: string, _options: unknown, command: Command) => withFlows(globals(command), async (store) => {
      printJson(withoutCredentials((await store.get(version(text))).flows));
    }));
  flows.command('diff').description('what changed from revision A to revision B, node by node').argument('<a>').argument('<b>').option('--json', 'machine-readable output')
    .action((a: string, b: string, options: { json?: boolean }, command: Command) => withFlows(globals(command), async (store) => {
      const diff = diffFlows((await store.get(version(a))).flows, (await store.get(version(b))).flows);
      if (options.json) return printJson({ added: diff.added.map((node) => node.id), removed: diff.removed.map((node) => node.id), changed: diff.changed.map(({ node, properties }) => ({ id: node.id, properties })) });
      for (const node of diff.added) println(`+ ${describeNode(node)}`);
      for (const node of diff.removed) println(`- ${describeNode(node)}`);
      for (const { node, properties } of diff.changed) println(`~ ${describeNode(node)}: ${properties.join(', ')}`);
      if (diff.added.length + diff.removed.length + diff.changed.length === 0) println('no differences');
    }));
  flows.command('rollback').description('a new revision with revision N\'s flows and credentials; a running hub loads it within seconds').argument('<version>')
    .action((text: string, _options: unknown, command: Command) => withFlows(globals(command), async (store) => {
      const revision = await store.rollback(version(text), `cli:${os.userInfo().username}`);
      println(`revision ${revision.version}: the flows of revision ${text} (a running hub loads it within seconds)`);
    }));
  flows.command('export').description('the newest flows as JSON, without credentials, for the editor\'s Import').option('--out <file>', 'write to a file (mode 0600) instead of standard output')
    .action((options: { out?: string }, command: Command) => withFlows(globals(command), async (store) => {
      const latest = await store.latest();
      if (!latest) throw new UsageError('no revisions yet: the hub seeds the default flow on its first start');
      const text = `${JSON.stringify(withoutCredentials(latest.flows), null, 2)}\n`;
      if (options.out === undefined) return void process.stdout.write(text);
      const target = path.resolve(options.out);
      fs.writeFileSync(`${target}.partial`, text, { mode: 0o600 });
      fs.renameSync(`${target}.partial`, target);
      println(`revision ${latest.version} written to ${target} (no credentials)`);
    }));
}
