/**
 * A policy in Home Assistant: its state, the countdown to its next stage, the
 * runtime margin its plan predicts, the armed and dry-run switches, and a
 * button that simulates an outage (a live dry run that calls no device).
 */
import type { PolicyReport } from '../../policy/policy-report';
import { POLICY_STATES } from '../../policy/policy-report';
import { availability, childDevice, entity, type DiscoveryContext, type DiscoveryEntity } from './entity';

export function policyEntities(context: DiscoveryContext, name: string): DiscoveryEntity[] {
  const { topics } = context;
  const device = childDevice(context, { identifiers: [`${topics.nodeId}_policy_${name}`], name: `Policy ${name}`, manufacturer: 'walNUT', model: 'Shutdown policy' });
  const id = `${topics.nodeId}_policy_${name}`;
  const state = topics.policyState(name);
  const common = { state_topic: state, ...availability(topics) };
  const toggle = (control: 'armed' | 'dry_run', label: string): DiscoveryEntity => entity(context, 'switch', `${id}_${control}`, device, {
    name: label, ...common, command_topic: topics.policyCommand(name, control),
    value_template: `{{ 'ON' if value_json.${control} else 'OFF' }}`,
    payload_on: 'ON', payload_off: 'OFF', state_on: 'ON', state_off: 'OFF', entity_category: 'config',
  });
  return [
    entity(context, 'sensor', `${id}_state`, device, {
      name: 'State', ...common, value_template: '{{ value_json.state }}', device_class: 'enum', options: POLICY_STATES,
      json_attributes_topic: state,
    }),
    entity(context, 'sensor', `${id}_next_stage_in`, device, {
      name: 'Next stage in', ...common, value_template: '{{ value_json.next_stage_in }}', device_class: 'duration', unit_of_measurement: 's',
    }),
    entity(context, 'sensor', `${id}_margin`, device, {
      name: 'Predicted margin', ...common, value_template: '{{ value_json.margin }}', device_class: 'duration', unit_of_measurement: 's',
    }),
    toggle('armed', 'Armed'),
    toggle('dry_run', 'Dry run'),
    entity(context, 'button', `${id}_simulate`, device, {
      name: 'Simulate outage', command_topic: topics.policyCommand(name, 'simulate'), payload_press: 'PRESS', ...availability(topics),
    }),
  ];
}

/** `null` fields become HA's "unknown" (a template renders them as None). */
export function policyStatePayload(report: PolicyReport): string {
  return JSON.stringify({
    state: report.state,
    stage: report.stage ?? null,
    run_id: report.runId ?? null,
    next_stage_in: report.nextStageInS ?? null,
    margin: report.marginS ?? null,
    armed: report.armed,
    dry_run: report.dryRun,
    simulating: report.simulating,
  });
}
