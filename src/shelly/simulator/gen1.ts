import { timingSafeEqual } from 'node:crypto';
import { jsonReply, type HttpReply, parseTarget, type SimRequest, textReply } from './http';
import type { PlugState } from './state';

export interface Gen1Identity {
  id: string;
  mac: string;
}

/** Constant-time, so the simulator does not teach a client to rely on timing. */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A Gen1 Plug S: plain HTTP GETs, HTTP Basic auth (user admin) on everything but
 * /shelly. Timers are not simulated: a `timer` argument is accepted and ignored,
 * and relays always report has_timer false.
 */
export class Gen1Device {
  constructor(
    private readonly identity: Gen1Identity,
    private readonly state: PlugState,
    private readonly password: string | undefined,
  ) {}

  info(): Record<string, unknown> {
    return {
      type: 'SHPLG-S',
      mac: this.identity.mac,
      auth: this.password !== undefined,
      fw: '20230913-114008/v1.14.0-gcb84623',
      num_outputs: this.state.channels,
      num_meters: this.state.channels,
    };
  }

  handle(request: SimRequest): HttpReply {
    const target = parseTarget(request.url);
    if (target.pathname === '/shelly') return jsonReply(this.info());
    if (!this.authorized(request.headers.authorization)) {
      return textReply(401, '401 Unauthorized', { 'WWW-Authenticate': `Basic realm="${this.identity.id}"` });
    }
    if (target.pathname === '/status') return jsonReply(this.status());
    const relay = /^\/relay\/(\d+)$/.exec(target.pathname);
    if (relay) return this.relay(Number(relay[1]), target.searchParams.get('turn'));
    return textReply(404, 'Not Found');
  }

  private authorized(header: string | undefined): boolean {
    if (this.password === undefined) return true;
    const match = header === undefined ? null : /^\s*Basic\s+(\S+)\s*$/i.exec(header);
    if (!match) return false;
    return sameText(Buffer.from(match[1] ?? '', 'base64').toString('utf8'), `admin:${this.password}`);
  }

  /** GET /relay/<ch>[?turn=on|off|toggle]: without turn it only reads. */
  private relay(channel: number, turn: string | null): HttpReply {
    if (!this.state.hasChannel(channel)) return textReply(404, 'Not Found');
    if (turn !== null) {
      if (turn !== 'on' && turn !== 'off' && turn !== 'toggle') return textReply(400, 'Bad turn!');
      const on = turn === 'toggle' ? !this.state.isOn(channel) : turn === 'on';
      this.state.switchByRequest(channel, on);
    }
    return jsonReply(this.relayObject(channel));
  }

  private relayObject(channel: number): Record<string, unknown> {
    return { ison: this.state.isOn(channel), has_timer: false, timer_remaining: 0, overpower: false, source: 'http' };
  }

  private status(): Record<string, unknown> {
    const channels = Array.from({ length: this.state.channels }, (_, channel) => channel);
    return {
      relays: channels.map((channel) => this.relayObject(channel)),
      // Gen1 meters count energy in watt-minutes
      meters: channels.map((channel) => ({ power: this.state.power(channel), total: Math.round(this.state.energyWh(channel) * 60) })),
    };
  }
}
