import type { Topics } from '../topics';

export type Component = 'sensor' | 'binary_sensor' | 'switch' | 'button';

/** One Home Assistant entity: where its config goes and what it says. */
export interface DiscoveryEntity {
  component: Component;
  /** Unique within the hub; also the entity's unique_id. */
  objectId: string;
  config: Record<string, unknown>;
}

export interface HaDevice {
  identifiers: string[];
  name: string;
  manufacturer?: string;
  model?: string;
  serial_number?: string;
  sw_version?: string;
  via_device?: string;
}

/** What every config carries: who published it, and which device it belongs to. */
export interface DiscoveryContext {
  topics: Topics;
  version: string;
}

export function hubDeviceId(topics: Topics): string {
  return `${topics.nodeId}_hub`;
}

export function origin(context: DiscoveryContext): Record<string, string> {
  return { name: 'walNUT', sw_version: context.version, support_url: 'https://github.com/walnut-hub/walnut' };
}

/**
 * The availability list: the hub's status (its last will) first, then any
 * topic of the entity's own (a UPS's communication); all must say online.
 */
export function availability(topics: Topics, ...own: string[]): Record<string, unknown> {
  return { availability: [topics.hubStatus, ...own].map((topic) => ({ topic })), availability_mode: 'all' };
}

/** A child device of the hub (a UPS, a policy, a target). */
export function childDevice(context: DiscoveryContext, device: Omit<HaDevice, 'via_device'>): HaDevice {
  return { ...device, via_device: hubDeviceId(context.topics) };
}

export function entity(
  context: DiscoveryContext,
  component: Component,
  objectId: string,
  device: HaDevice,
  config: Record<string, unknown>,
): DiscoveryEntity {
  return {
    component,
    objectId,
    config: { ...config, unique_id: objectId, device, origin: origin(context), qos: 1 },
  };
}
