import type { PlugState } from './state';

/** JSON-RPC error codes the simulator answers (PROTOCOLS.md §4.2). */
export const INVALID_ARGUMENT = -103;
export const NOT_FOUND = -105;

export interface RpcError {
  code: number;
  message: string;
}

export type RpcOutcome = { result: unknown } | { error: RpcError };

const VOLTAGE = 230.1;

function fail(code: number, message: string): { error: RpcError } {
  return { error: { code, message } };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** The Gen2 methods of a plug: Shelly.GetDeviceInfo and the Switch component. */
export class Gen2Rpc {
  constructor(
    private readonly state: PlugState,
    private readonly deviceInfo: () => Record<string, unknown>,
  ) {}

  call(method: string, params: unknown): RpcOutcome {
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
      return fail(INVALID_ARGUMENT, 'params must be an object');
    }
    const args = (params ?? {}) as Record<string, unknown>;
    switch (method) {
      case 'Shelly.GetDeviceInfo':
        return { result: this.deviceInfo() };
      case 'Switch.GetStatus':
        return this.withChannel(args, (id) => ({ result: this.status(id) }));
      case 'Switch.Set':
        return this.withChannel(args, (id) => {
          if (typeof args.on !== 'boolean') return fail(INVALID_ARGUMENT, "Argument 'on', expected boolean");
          return { result: { was_on: this.state.switchByRequest(id, args.on) } };
        });
      case 'Switch.Toggle':
        return this.withChannel(args, (id) => ({ result: { was_on: this.state.switchByRequest(id, !this.state.isOn(id)) } }));
      default:
        return fail(NOT_FOUND, `No handler for ${method}`);
    }
  }

  /** A missing or non-integer id is invalid; an id the plug lacks is not found. */
  private withChannel(args: Record<string, unknown>, run: (id: number) => RpcOutcome): RpcOutcome {
    const id = args.id;
    if (typeof id !== 'number' || !Number.isInteger(id)) return fail(INVALID_ARGUMENT, "Argument 'id', expected number");
    if (!this.state.hasChannel(id)) return fail(NOT_FOUND, `Component switch:${id} not found`);
    return run(id);
  }

  private status(id: number): Record<string, unknown> {
    const apower = this.state.power(id);
    return {
      id,
      source: this.state.source(id),
      output: this.state.isOn(id),
      apower,
      voltage: VOLTAGE,
      current: round(apower / VOLTAGE, 3),
      freq: 50,
      aenergy: { total: round(this.state.energyWh(id), 3) },
      temperature: { tC: 38.2 },
    };
  }
}
