import { availability, entity, hubDeviceId, type DiscoveryContext, type DiscoveryEntity, type HaDevice } from './entity';

export function hubDevice(context: DiscoveryContext): HaDevice {
  return {
    identifiers: [hubDeviceId(context.topics)],
    name: `walNUT ${context.topics.site}`,
    manufacturer: 'walNUT',
    model: 'walNUT hub',
    sw_version: context.version,
  };
}

/** The hub: whether it is connected (its last will turns this off) and its version. */
export function hubEntities(context: DiscoveryContext): DiscoveryEntity[] {
  const { topics } = context;
  const device = hubDevice(context);
  const id = hubDeviceId(topics);
  return [
    // No availability of its own: "disconnected" is this entity's job, not "unavailable".
    entity(context, 'binary_sensor', `${id}_connectivity`, device, {
      name: 'Connectivity', state_topic: topics.hubStatus, payload_on: 'online', payload_off: 'offline',
      device_class: 'connectivity', entity_category: 'diagnostic',
    }),
    entity(context, 'sensor', `${id}_version`, device, {
      name: 'Version', state_topic: topics.hubState, value_template: '{{ value_json.version }}',
      entity_category: 'diagnostic', ...availability(topics),
    }),
  ];
}

export function hubStatePayload(version: string): string {
  return JSON.stringify({ version });
}
