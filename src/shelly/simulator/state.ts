/** A state-changing request the simulator accepted (relay turn, Switch.Set, Switch.Toggle). */
export interface MutatingCall {
  channel: number;
  on: boolean;
  at: number;
}

/** Who last switched the output, as Gen2 Switch.GetStatus reports it. */
export type SwitchSource = 'init' | 'HTTP_in';

class Relay {
  on = true;
  source: SwitchSource = 'init';
  /** Energy counted up to onSince; the running stretch is added on read. */
  energyWh = 0;
  onSince: number;

  constructor(now: number) {
    this.onSince = now;
  }
}

/**
 * The plug's outputs and meters, shared by both generations' front ends. Every
 * output starts on: the plug powers a machine the hub looks after.
 */
export class PlugState {
  readonly mutatingCalls: MutatingCall[] = [];
  private readonly relays: Relay[];

  constructor(
    channels: number,
    private readonly powerW: number,
    private readonly now: () => number,
  ) {
    if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`channels must be a positive integer, got ${channels}`);
    this.relays = Array.from({ length: channels }, () => new Relay(now()));
  }

  get channels(): number {
    return this.relays.length;
  }

  hasChannel(channel: number): boolean {
    return Number.isInteger(channel) && channel >= 0 && channel < this.relays.length;
  }

  isOn(channel: number): boolean {
    return this.relay(channel).on;
  }

  source(channel: number): SwitchSource {
    return this.relay(channel).source;
  }

  /** Switches an output from an HTTP request, which the audit list records; returns the previous state. */
  switchByRequest(channel: number, on: boolean): boolean {
    const wasOn = this.change(channel, on);
    this.relay(channel).source = 'HTTP_in';
    this.mutatingCalls.push({ channel, on, at: this.now() });
    return wasOn;
  }

  /** Switches an output behind the API's back (a test, a button press): not an audited request. */
  set(channel: number, on: boolean): void {
    this.change(channel, on);
  }

  power(channel: number): number {
    return this.relay(channel).on ? this.powerW : 0;
  }

  energyWh(channel: number): number {
    const relay = this.relay(channel);
    return relay.energyWh + (relay.on ? this.runningWh(relay) : 0);
  }

  private change(channel: number, on: boolean): boolean {
    const relay = this.relay(channel);
    const wasOn = relay.on;
    if (wasOn) relay.energyWh += this.runningWh(relay);
    relay.on = on;
    relay.onSince = this.now();
    return wasOn;
  }

  private runningWh(relay: Relay): number {
    return (this.powerW * Math.max(0, this.now() - relay.onSince)) / 3_600_000;
  }

  private relay(channel: number): Relay {
    const relay = this.hasChannel(channel) ? this.relays[channel] : undefined;
    if (!relay) throw new RangeError(`no channel ${channel} (the plug has ${this.relays.length})`);
    return relay;
  }
}
