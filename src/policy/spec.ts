/**
 * The rules language as TypeScript types: what a Targets or Policy document
 * holds once it has passed its JSON Schema (schema/*.ts are typed against
 * these, so the two cannot drift). Durations stay as written (`5m`); the
 * engine converts them with durationMs.
 */

export const API_VERSION = 'walnut/v1';

/** A secret named in the store (`walnut secrets set NAME`); rules never hold the value. */
export interface SecretRef {
  secretRef: string;
}

export const OPS = ['shutdown', 'stop', 'off', 'on', 'wake', 'start', 'poweroff'] as const;
export type Op = (typeof OPS)[number];

export const TARGET_TYPES = ['ssh', 'proxmox', 'tapo', 'shelly', 'wol', 'ups'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

/** Fields every target type may give. */
export interface TargetCommon {
  description?: string;
  /** Power drawn from the UPS, shed when the target goes down (plan and budget). */
  watts?: number;
  /** Targets this one needs powered, e.g. the plug feeding its switch. */
  depends_on?: string[];
  /** The host the hub itself runs on: it must go down in the last stage. */
  self?: boolean;
}

export interface SshTarget extends TargetCommon {
  type: 'ssh';
  host: string;
  port?: number;
  user: string;
  key: SecretRef;
  /** `SHA256:…` as printed by ssh-keygen -lf; else the key trusted with `walnut targets trust`. */
  host_key_fingerprint?: string;
  /** Run instead of the default `sudo -n shutdown -h +0`. */
  command?: string;
}

export interface ProxmoxGuests {
  /** `all`, or VM/CT ids, or tags. */
  all?: boolean;
  ids?: number[];
  tags?: string[];
}

export interface ProxmoxTarget extends TargetCommon {
  type: 'proxmox';
  url: string;
  /** An API token `user@realm!tokenid=secret`, stored whole under this name. */
  token: SecretRef;
  tls_fingerprint?: string;
  /** A PEM CA certificate file, when the API has a certificate from a private CA. */
  ca_file?: string;
  node: string;
  guests?: ProxmoxGuests;
  /** Guest ids never touched (the VM running the hub, a firewall…). */
  exclude?: number[];
}

export interface TapoTarget extends TargetCommon {
  type: 'tapo';
  host: string;
  /** The TP-Link cloud e-mail and password, stored as `email:password`. */
  credentials: SecretRef;
}

export interface ShellyTarget extends TargetCommon {
  type: 'shelly';
  host: string;
  channel?: number;
  /** Only for a device with authentication enabled: `admin:password`. */
  credentials?: SecretRef;
}

export interface WolTarget extends TargetCommon {
  type: 'wol';
  mac: string;
  /** Where the magic packet goes: a unicast host, or a broadcast address when you choose one. */
  address: string;
  port?: number;
}

export interface UpsTarget extends TargetCommon {
  type: 'ups';
  /** `upsname@host[:port]` as in upsc. */
  ups: string;
  /** A upsd account allowed the instant command (or FSD as a primary), stored as `user:password`. */
  credentials: SecretRef;
  /** `shutdown.return` powers the loads back with the mains; `fsd` hands the shutdown to upsmon. */
  method?: 'shutdown.return' | 'fsd';
}

export type Target = SshTarget | ProxmoxTarget | TapoTarget | ShellyTarget | WolTarget | UpsTarget;

export interface TargetsDocument {
  apiVersion: string;
  kind: 'Targets';
  targets: Record<string, Target>;
}

/** One condition; exactly one key is set. All but low_battery and fsd count only while on battery. */
export interface Trigger {
  on_battery?: { for?: string };
  battery_charge_below?: number;
  runtime_below?: string;
  low_battery?: boolean;
  fsd?: boolean;
  /** Percent of charge per minute. */
  depletion_rate_above?: number;
  /** Time on battery summed over the outage, through short returns of the mains. */
  time_on_battery_above?: string;
  comm_lost?: { for?: string };
}

export interface Triggers {
  any?: Trigger[];
  all?: Trigger[];
}

export interface Action {
  target: string;
  op: Op;
}

export const ON_TIMEOUT = ['continue', 'force', 'abort'] as const;
export type OnTimeout = (typeof ON_TIMEOUT)[number];

export interface Stage {
  name: string;
  /** Planned start, counted from the trigger. */
  after?: string;
  /** Run the actions together rather than one after another. */
  parallel?: boolean;
  actions: Action[];
  timeout?: string;
  on_timeout?: OnTimeout;
}

export interface Group {
  members: string[];
  min_healthy: number;
}

export interface RestoreWhen {
  online?: { for?: string };
  charge_above?: number;
}

export interface Restore {
  when?: RestoreWhen;
  /** Run in order, each after the previous finished. */
  actions?: Action[];
  /** Derive the actions from the stages in reverse (off → on, shutdown → start…). */
  inverse?: boolean;
  timeout?: string;
}

export interface PolicyDocument {
  apiVersion: string;
  kind: 'Policy';
  name: string;
  description?: string;
  ups?: string[];
  group?: Group;
  triggers: Triggers;
  cancel_when?: { online?: { for?: string } };
  stages: Stage[];
  point_of_no_return?: string;
  /** Runtime kept in hand when pacing stages. */
  reserve?: string;
  restore?: Restore;
  armed?: boolean;
  dry_run?: boolean;
}

export type RulesDocument = TargetsDocument | PolicyDocument;

/** Which ops each target type carries out. */
export const SUPPORTED_OPS: Readonly<Record<TargetType, readonly Op[]>> = {
  ssh: ['shutdown'],
  proxmox: ['shutdown', 'stop', 'start', 'poweroff'],
  tapo: ['off', 'on'],
  shelly: ['off', 'on'],
  wol: ['wake'],
  ups: ['poweroff'],
};

/** The op that undoes another, for `restore: { inverse: true }`; absent when nothing can. */
export const INVERSE_OPS: Readonly<Partial<Record<TargetType, Partial<Record<Op, Op>>>>> = {
  proxmox: { shutdown: 'start', stop: 'start' },
  tapo: { off: 'on' },
  shelly: { off: 'on' },
};

/** Ops after which the target draws no power and feeds nothing. */
export const POWER_CUTTING_OPS: readonly Op[] = ['shutdown', 'stop', 'off', 'poweroff'];
