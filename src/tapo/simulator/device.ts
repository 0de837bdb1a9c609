import { ErrorCode, errorReply, type InnerReply, type InnerRequest, isRecord, okReply } from './inner';

export type PlugModel = 'P100' | 'P110' | 'P115';

/** One set_device_info the plug received, whatever it answered (errorCode 0 = applied). */
export interface MutatingCall {
  method: string;
  params: unknown;
  at: number;
  errorCode: number;
}

export interface SimPlugOptions {
  model: PlugModel;
  deviceOn: boolean;
  powerMw: number;
  now: () => number;
}

// Counters as the plug had them when the simulator started, so readings look lived-in.
const TODAY_RUNTIME_MIN = 95;
const MONTH_RUNTIME_MIN = 4210;
const TODAY_ENERGY_WH = 68;
const MONTH_ENERGY_WH = 3015;

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/** The device reports local wall-clock time without a zone. */
function localTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** The plug behind either transport: relay, meter and the §3.3 methods. */
export class SimPlug {
  readonly mutatingCalls: MutatingCall[] = [];
  private on: boolean;
  private loadMw: number;
  /** When the relay or the load last changed: the counters fold in each segment then. */
  private since: number;
  private onSince: number;
  private onMsBefore = 0;
  private mWhBefore = 0;

  constructor(private readonly options: SimPlugOptions) {
    this.on = options.deviceOn;
    this.loadMw = options.powerMw;
    this.since = options.now();
    this.onSince = this.since;
  }

  get deviceOn(): boolean {
    return this.on;
  }

  setOn(on: boolean): void {
    if (on === this.on) return;
    this.fold();
    this.on = on;
    this.onSince = this.since;
  }

  /** The load's draw while the relay is on (mW). */
  setLoadMw(mw: number): void {
    this.fold();
    this.loadMw = mw;
  }

  private fold(): void {
    const now = this.options.now();
    if (this.on) {
      this.onMsBefore += now - this.since;
      this.mWhBefore += (this.loadMw * (now - this.since)) / 3_600_000;
    }
    this.since = now;
  }

  private get hasMeter(): boolean {
    return this.options.model !== 'P100';
  }

  private get powerMw(): number {
    return this.on ? this.loadMw : 0;
  }

  execute(request: InnerRequest, ip: string): InnerReply {
    // the device answers -1008 to params that are not an object; absent params are fine
    if (request.params !== undefined && !isRecord(request.params)) {
      this.recordIfMutating(request, ErrorCode.BAD_PARAMS);
      return errorReply(ErrorCode.BAD_PARAMS);
    }
    switch (request.method) {
      case 'get_device_info':
        return okReply(this.deviceInfo(ip));
      case 'set_device_info':
        return this.setDeviceInfo(request);
      case 'get_energy_usage':
        return this.hasMeter ? okReply(this.energyUsage()) : errorReply(ErrorCode.UNKNOWN_METHOD);
      case 'get_current_power':
        return this.hasMeter ? okReply({ current_power: Math.round(this.powerMw / 1000) }) : errorReply(ErrorCode.UNKNOWN_METHOD);
      case 'component_nego':
        return okReply({ component_list: this.components() });
      default:
        return errorReply(ErrorCode.UNKNOWN_METHOD);
    }
  }

  private setDeviceInfo(request: InnerRequest): InnerReply {
    const params = request.params;
    const valid = isRecord(params) && typeof params.device_on === 'boolean';
    this.recordIfMutating(request, valid ? ErrorCode.OK : ErrorCode.BAD_PARAMS);
    if (!valid) return errorReply(ErrorCode.BAD_PARAMS);
    this.setOn(params.device_on === true);
    return okReply({});
  }

  private recordIfMutating(request: InnerRequest, errorCode: number): void {
    if (request.method !== 'set_device_info') return;
    this.mutatingCalls.push({ method: request.method, params: request.params, at: this.options.now(), errorCode });
  }

  /** Relay-on time (ms) and energy (mWh) since the simulator started. */
  private totals(): { onMs: number; mWh: number } {
    const running = this.on ? this.options.now() - this.since : 0;
    return { onMs: this.onMsBefore + running, mWh: this.mWhBefore + (this.loadMw * running) / 3_600_000 };
  }

  private deviceInfo(ip: string): Record<string, unknown> {
    const now = this.options.now();
    return {
      device_id: '80225A7B1C2D3E4F5061728394A5B6C7D8E9F0A1',
      fw_ver: '1.2.3 Build 230425 Rel.142542',
      hw_ver: '1.0',
      type: 'SMART.TAPOPLUG',
      model: this.options.model,
      mac: '3C-52-A1-00-00-01',
      hw_id: 'C2C5A7E1D3B8F09A6E4D2C1B0A998877',
      oem_id: 'A1B2C3D4E5F60718293A4B5C6D7E8F90',
      ip,
      rssi: -45,
      signal_level: 3,
      ssid: base64('walnut-lab'),
      nickname: base64('walNUT plug'),
      device_on: this.on,
      on_time: this.on ? Math.floor((now - this.onSince) / 1000) : 0,
      overheated: false,
      region: 'Europe/Berlin',
      lang: 'en_US',
    };
  }

  private energyUsage(): Record<string, unknown> {
    const { onMs, mWh } = this.totals();
    const minutes = Math.floor(onMs / 60_000);
    const wh = Math.floor(mWh / 1000);
    return {
      today_runtime: TODAY_RUNTIME_MIN + minutes,
      month_runtime: MONTH_RUNTIME_MIN + minutes,
      today_energy: TODAY_ENERGY_WH + wh,
      month_energy: MONTH_ENERGY_WH + wh,
      current_power: this.powerMw,
      local_time: localTime(this.options.now()),
    };
  }

  private components(): Array<{ id: string; ver_code: number }> {
    const list = [
      { id: 'device', ver_code: 2 },
      { id: 'firmware', ver_code: 2 },
      { id: 'quick_setup', ver_code: 3 },
      { id: 'time', ver_code: 1 },
      { id: 'schedule', ver_code: 3 },
      { id: 'countdown', ver_code: 2 },
    ];
    if (this.hasMeter) list.push({ id: 'energy_monitoring', ver_code: 2 }, { id: 'power_protection', ver_code: 1 });
    return list;
  }
}
