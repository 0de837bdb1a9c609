import { Cron } from 'croner';
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import type { BackupRequest, ExportRequest } from '../../src/archive/archive-service';
import { onInput } from '../shared/input';
import { hubServices } from '../shared/services';
import { nodeConfig } from '../shared/config';

interface ArchiveDef extends NodeDef {
  /** Cron expression (croner); empty: only messages start jobs. */
  schedule: string;
  backupType: 'full' | 'incremental';
}

type Request = ({ action: 'backup' } & BackupRequest) | ({ action: 'export' } & ExportRequest);

function requestFrom(msg: NodeMessage): Request {
  const payload = (msg as { payload?: unknown }).payload;
  const body = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  const action = body.action ?? (msg as { action?: unknown }).action ?? 'backup';
  if (action === 'backup') {
    if (body.type !== undefined && body.type !== 'full' && body.type !== 'incremental') throw new Error('payload.type must be "full" or "incremental"');
    return { action, ...(body as BackupRequest) };
  }
  if (action === 'export') {
    if (typeof body.exporter !== 'string') throw new Error('an export needs payload.exporter (homeassistant, hosts, ansible, prometheus, upsmon, csv, json)');
    return { action, ...(body as unknown as ExportRequest) };
  }
  throw new Error(`payload.action must be "backup" or "export", not ${JSON.stringify(action)}`);
}

/**
 * Backups and exports from a flow. Input `{ action: backup | export, … }`;
 * output the result. Its own cron schedule is the one scheduler of backups:
 * the hub runs none by itself.
 */
export = function register(RED: NodeAPI): void {
  function ArchiveNode(this: Node, def: ArchiveDef): void {
    def = nodeConfig(def);
    RED.nodes.createNode(this, def);
    const { archive } = hubServices(RED);
    const run = async (request: Request): Promise<unknown> => {
      this.status({ fill: 'blue', shape: 'dot', text: `${request.action} running` });
      try {
        const result = request.action === 'backup' ? await archive.backup(request) : await archive.export(request);
        const size = (result as { size?: number }).size ?? 0;
        this.status({ fill: 'green', shape: 'dot', text: `${request.action} ${new Date().toLocaleTimeString()} (${Math.round(size / 1024)} KiB)` });
        return result;
      } catch (error) {
        this.status({ fill: 'red', shape: 'ring', text: `${request.action} failed` });
        throw error;
      }
    };

    let job: Cron | undefined;
    const schedule = (def.schedule ?? '').trim();
    if (schedule !== '') {
      try {
        // protect: a backup still running when the next one is due is not started twice.
        job = new Cron(schedule, { protect: true }, () => {
          run({ action: 'backup', type: def.backupType ?? 'full' }).then(
            (payload) => this.send({ topic: 'backup', payload }),
            (error: unknown) => this.error(`scheduled backup failed: ${(error as Error).message}`, { topic: 'backup', payload: {} }),
          );
        });
        this.status({ fill: 'grey', shape: 'dot', text: `next backup ${job.nextRun()?.toLocaleString() ?? 'never'}` });
      } catch (error) {
        this.status({ fill: 'red', shape: 'ring', text: 'bad schedule' });
        this.error(`the schedule "${schedule}" is not a cron expression: ${(error as Error).message}`);
      }
    }

    onInput(this, async (msg, send) => {
      const request = requestFrom(msg);
      send({ ...msg, topic: request.action, payload: await run(request) });
    });
    this.on('close', () => job?.stop());
  }

  RED.nodes.registerType('archive', ArchiveNode);
};
