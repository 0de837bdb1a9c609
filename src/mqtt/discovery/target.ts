/** A target in Home Assistant: the result of its last job and when it ended. */
import { availability, childDevice, entity, type DiscoveryContext, type DiscoveryEntity } from './entity';

export interface TargetResult {
  result: 'completed' | 'failed' | 'cancelled';
  at: number;
  op: string;
  policy?: string;
  dryRun: boolean;
  detail?: string;
}

export function targetEntities(context: DiscoveryContext, name: string, type: string): DiscoveryEntity[] {
  const { topics } = context;
  const device = childDevice(context, { identifiers: [`${topics.nodeId}_target_${name}`], name: `Target ${name}`, manufacturer: 'walNUT', model: `${type} target` });
  const id = `${topics.nodeId}_target_${name}`;
  const common = { state_topic: topics.targetState(name), ...availability(topics) };
  return [
    entity(context, 'sensor', `${id}_last_result`, device, {
      name: 'Last result', ...common, value_template: '{{ value_json.result }}',
      json_attributes_topic: topics.targetState(name),
    }),
    entity(context, 'sensor', `${id}_last_result_at`, device, {
      name: 'Last result time', ...common, value_template: '{{ value_json.at }}', device_class: 'timestamp',
    }),
  ];
}

export function targetStatePayload(last: TargetResult | undefined): string {
  if (!last) return JSON.stringify({ result: null, at: null });
  return JSON.stringify({
    result: last.result, at: new Date(last.at).toISOString(), op: last.op, policy: last.policy ?? null,
    dry_run: last.dryRun, detail: last.detail ?? null,
  });
}
