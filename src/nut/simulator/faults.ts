import type { DisconnectEvent } from './events';
import type { Session } from './session';
import type { SimUps } from './state';

/** What the fault switches act on; the server provides it. */
export interface FaultTarget {
  sessions(): Session[];
  disconnect(session: Session, reason: DisconnectEvent['reason']): void;
  writeRaw(session: Session, line: string): void;
  requireUps(name: string): SimUps;
}

export type GarbageMode = 'replace-next' | 'unsolicited';

/**
 * Ways the server or its drivers misbehave, for testing a client's error paths.
 * Each switch stays as set until switched back, across stop() and start().
 */
export class Faults {
  private stalledFlag = false;

  constructor(private readonly target: FaultTarget) {}

  get stalled(): boolean {
    return this.stalledFlag;
  }

  /** Destroys every client socket at once, as a crashed or restarted upsd would. */
  dropConnections(): void {
    for (const session of this.target.sessions()) this.target.disconnect(session, 'dropped');
  }

  /** A hung server: requests are read and swallowed, nothing is answered, nobody is dropped for idling. */
  stall(on: boolean): void {
    this.stalledFlag = on;
  }

  /**
   * `replace-next`: the next reply to each client connected now is this line instead
   * (a LIST block is replaced as a whole; later clients are not affected).
   * `unsolicited`: the line is written to every client now, answering nothing.
   */
  garbage(line: string, mode: GarbageMode = 'replace-next'): void {
    for (const session of this.target.sessions()) {
      if (mode === 'unsolicited') this.target.writeRaw(session, line);
      else session.pendingGarbage = line;
    }
  }

  /** A stalled driver: ERR DATA-STALE for that UPS until turned off. */
  setStale(ups: string, on: boolean): void {
    this.target.requireUps(ups).stale = on;
  }

  /** A dead driver: ERR DRIVER-NOT-CONNECTED for that UPS while off. */
  setDriverConnected(ups: string, on: boolean): void {
    this.target.requireUps(ups).driverConnected = on;
  }

  /** The driver socket refuses commands: SET → ERR SET-FAILED, INSTCMD → ERR INSTCMD-FAILED. */
  setCommandFailure(ups: string, on: boolean): void {
    this.target.requireUps(ups).commandsFail = on;
  }
}
