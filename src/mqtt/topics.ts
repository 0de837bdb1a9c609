/**
 * walNUT's MQTT topic layout, in one place. Under `<base>/<site>/`:
 *   status                        online / offline (the hub's last will)
 *   hub/state                     version and the like
 *   ups/<key>/state               every variable the UPS reports (JSON), retained
 *   ups/<key>/availability        online / offline (communication with the UPS)
 *   ups/<key>/command/set         an instant command's name: runs it
 *   policy/<name>/state           state, countdown, margin, flags (JSON), retained
 *   policy/<name>/<switch>/set    armed, dry_run: ON / OFF; simulate: PRESS
 *   target/<name>/state           last result and when (JSON), retained
 * Discovery configs live under `<prefix>/<component>/walnut_<site>/<object>/config`.
 * Clients other than the hub may publish only the `.../set` topics and `<prefix>/status`.
 */
export const POLICY_SWITCHES = ['armed', 'dry_run', 'simulate'] as const;
export type PolicySwitch = (typeof POLICY_SWITCHES)[number];

export type Command =
  | { kind: 'ups'; key: string }
  | { kind: 'policy'; name: string; control: PolicySwitch };

/** A topic level (and an HA object id part) from any name: MQTT wildcards and separators never get in. */
export function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '_');
}

export class Topics {
  readonly root: string;
  readonly nodeId: string;

  constructor(
    base: string,
    readonly site: string,
    readonly discoveryPrefix: string,
  ) {
    this.root = `${base}/${slug(site)}`;
    this.nodeId = `walnut_${slug(site)}`;
  }

  get hubStatus(): string { return `${this.root}/status`; }
  get hubState(): string { return `${this.root}/hub/state`; }
  get haStatus(): string { return `${this.discoveryPrefix}/status`; }
  /** What the hub subscribes to for commands (through an external broker). */
  get commandFilter(): string { return `${this.root}/+/+/+/set`; }

  upsState(key: string): string { return `${this.root}/ups/${key}/state`; }
  upsAvailability(key: string): string { return `${this.root}/ups/${key}/availability`; }
  upsCommand(key: string): string { return `${this.root}/ups/${key}/command/set`; }
  policyState(name: string): string { return `${this.root}/policy/${name}/state`; }
  policyCommand(name: string, control: PolicySwitch): string { return `${this.root}/policy/${name}/${control}/set`; }
  targetState(name: string): string { return `${this.root}/target/${name}/state`; }
  config(component: string, objectId: string): string { return `${this.discoveryPrefix}/${component}/${this.nodeId}/${objectId}/config`; }
  /** Every discovery config of this hub (all components). */
  get configFilter(): string { return `${this.discoveryPrefix}/+/${this.nodeId}/+/config`; }

  /** The command a topic carries, or undefined when it is not one of ours. */
  parseCommand(topic: string): Command | undefined {
    if (!topic.startsWith(`${this.root}/`)) return undefined;
    const [kind, name, control, set, ...rest] = topic.slice(this.root.length + 1).split('/');
    if (set !== 'set' || rest.length > 0 || !name) return undefined;
    if (kind === 'ups' && control === 'command') return { kind: 'ups', key: name };
    if (kind === 'policy' && (POLICY_SWITCHES as readonly string[]).includes(control!)) return { kind: 'policy', name, control: control as PolicySwitch };
    return undefined;
  }

  /** The broker's ACL: what a client other than the hub may publish. */
  mayClientPublish(topic: string): boolean {
    return topic === this.haStatus || this.parseCommand(topic) !== undefined;
  }
}
