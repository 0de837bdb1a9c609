/**
 * The simulated world behind upsd: UPSes as a driver would report them, and the
 * users of upsd.users. Names of UPSes, variables and commands are matched without
 * regard to case, as upsd does (strcasecmp); replies echo the name the client wrote.
 */

export interface RangeLimit {
  min: number;
  max: number;
}

export interface UpsDefinition {
  /** `desc` in ups.conf; LIST UPS says "Description unavailable" without it. */
  description?: string;
  /** Variable name → value, as the driver reports them. */
  vars: Record<string, string>;
  /** Writable variables (flagged RW by the driver). */
  rw?: string[];
  /** Allowed values of writable variables (LIST ENUM, checked by SET VAR). */
  enums?: Record<string, string[]>;
  /** Allowed integer ranges (LIST RANGE, checked by SET VAR on the value's leading integer). */
  ranges?: Record<string, RangeLimit[]>;
  /** Variables typed STRING:n (n = maximum length); every other one reports NUMBER, as upsd does. */
  strings?: Record<string, number>;
  /** Instant commands → description (GET CMDDESC). */
  commands?: Record<string, string>;
  /** Variable → description for GET DESC (upsd reads these from cmdvartab). */
  varDescriptions?: Record<string, string>;
}

export type UpsmonRole = 'primary' | 'secondary';
export type UserAction = 'SET' | 'FSD';

export interface UserDefinition {
  password: string;
  /** primary grants LOGIN, PRIMARY/MASTER and FSD; secondary grants LOGIN only. */
  upsmon?: UpsmonRole;
  actions?: UserAction[];
  instcmds?: string[] | 'ALL';
}

export interface SimVariable {
  name: string;
  value: string;
}

const lower = (name: string): string => name.toLowerCase();

/** One UPS as upsd holds it: the driver's data plus upsd's own per-UPS state. */
export class SimUps {
  readonly name: string;
  description: string | undefined;
  private readonly vars = new Map<string, SimVariable>();
  private readonly rw = new Set<string>();
  private readonly enums = new Map<string, string[]>();
  private readonly ranges = new Map<string, RangeLimit[]>();
  private readonly strings = new Map<string, number>();
  private readonly commands = new Map<string, { name: string; description: string }>();
  private readonly varDescriptions = new Map<string, string>();

  /** upsd's FSD latch: set by the FSD command, cleared only by a restart. */
  fsd = false;
  driverConnected = true;
  /** Forced staleness (a stalled driver), independent of maxAge. */
  stale = false;
  /** When set, the driver socket refuses commands: SET-FAILED / INSTCMD-FAILED. */
  commandsFail = false;
  numLogins = 0;
  lastUpdate: number;

  constructor(name: string, definition: UpsDefinition, now: number) {
    this.name = name;
    this.description = definition.description;
    this.lastUpdate = now;
    this.setVars(definition.vars, now);
    for (const name of definition.rw ?? []) this.rw.add(lower(name));
    for (const [name, values] of Object.entries(definition.enums ?? {})) this.enums.set(lower(name), [...values]);
    for (const [name, limits] of Object.entries(definition.ranges ?? {})) this.ranges.set(lower(name), limits.map((l) => ({ ...l })));
    for (const [name, length] of Object.entries(definition.strings ?? {})) this.strings.set(lower(name), length);
    for (const [name, description] of Object.entries(definition.commands ?? {})) this.commands.set(lower(name), { name, description });
    for (const [name, description] of Object.entries(definition.varDescriptions ?? {})) this.varDescriptions.set(lower(name), description);
  }

  setVars(vars: Record<string, string>, now: number): void {
    for (const [name, value] of Object.entries(vars)) {
      const existing = this.vars.get(lower(name));
      if (existing) existing.value = value;
      else this.vars.set(lower(name), { name, value });
    }
    this.lastUpdate = now;
  }

  /** The driver's value, without upsd's FSD prefix. */
  rawValue(name: string): string | undefined {
    return this.vars.get(lower(name))?.value;
  }

  /** The value upsd reports: `ups.status` gains an `FSD ` prefix while the latch is set. */
  reportedValue(name: string): string | undefined {
    const value = this.rawValue(name);
    if (value === undefined) return undefined;
    return this.fsd && lower(name) === 'ups.status' ? `FSD ${value}` : value;
  }

  /** Variables in upsd's order: its tree sorts names without regard to case. */
  variables(): SimVariable[] {
    return [...this.vars.values()]
      .map((v) => ({ name: v.name, value: this.reportedValue(v.name) ?? v.value }))
      .sort((a, b) => compareNames(a.name, b.name));
  }

  /** Writable variables with their driver values (LIST RW shows no FSD prefix). */
  writableVariables(): SimVariable[] {
    return [...this.vars.values()].filter((v) => this.isWritable(v.name)).map((v) => ({ ...v })).sort((a, b) => compareNames(a.name, b.name));
  }

  /** The variable's name as the driver spells it. */
  variableName(name: string): string | undefined {
    return this.vars.get(lower(name))?.name;
  }

  hasVariable(name: string): boolean {
    return this.vars.has(lower(name));
  }

  isWritable(name: string): boolean {
    return this.rw.has(lower(name));
  }

  stringLength(name: string): number | undefined {
    return this.strings.get(lower(name));
  }

  enumValues(name: string): string[] {
    return this.enums.get(lower(name)) ?? [];
  }

  rangeLimits(name: string): RangeLimit[] {
    return this.ranges.get(lower(name)) ?? [];
  }

  /** Commands sorted as upsd keeps them (case-insensitive order). */
  commandNames(): string[] {
    return [...this.commands.values()].map((c) => c.name).sort(compareNames);
  }

  /** The command's name as the driver spells it. */
  commandName(name: string): string | undefined {
    return this.commands.get(lower(name))?.name;
  }

  hasCommand(name: string): boolean {
    return this.commands.has(lower(name));
  }

  commandDescription(name: string): string | undefined {
    return this.commands.get(lower(name))?.description;
  }

  variableDescription(name: string): string | undefined {
    return this.varDescriptions.get(lower(name));
  }
}

/** strcasecmp order. */
export function compareNames(a: string, b: string): number {
  const x = lower(a);
  const y = lower(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A user of upsd.users, reduced to what upsd checks. */
export class SimUser {
  constructor(
    readonly name: string,
    private readonly definition: UserDefinition,
  ) {}

  /** upsd's user_checkaction: the name must match exactly, then the password, then the right. */
  passwordMatches(password: string): boolean {
    return this.definition.password === password;
  }

  may(action: 'LOGIN' | 'PRIMARY' | 'FSD' | 'SET'): boolean {
    const role = this.definition.upsmon;
    if (action === 'LOGIN') return role !== undefined;
    if (action === 'PRIMARY') return role === 'primary';
    if (action === 'FSD' && role === 'primary') return true;
    return (this.definition.actions ?? []).some((a) => a.toUpperCase() === action);
  }

  mayRun(command: string): boolean {
    const allowed = this.definition.instcmds ?? [];
    if (allowed === 'ALL') return true;
    return allowed.some((c) => lower(c) === lower(command) || lower(c) === 'all');
  }
}
