import * as crypto from 'node:crypto';

/** A device keeps only a handful of sessions; the oldest go first. */
const MAX_SESSIONS = 64;

interface Entry<T> {
  state: T;
  expiresAt: number;
}

/**
 * Sessions keyed by their TP_SESSIONID cookie. A session lives for a fixed
 * TIMEOUT from its handshake (use does not extend it), as the device announces.
 */
export class SessionStore<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly timeoutS: number,
    private readonly now: () => number,
  ) {}

  create(state: T): string {
    this.sweep();
    while (this.entries.size >= MAX_SESSIONS) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    const id = crypto.randomBytes(16).toString('hex').toUpperCase();
    this.entries.set(id, { state, expiresAt: this.now() + this.timeoutS * 1000 });
    return id;
  }

  /** The live session for a cookie value; an expired one is forgotten. */
  get(id: string | undefined): T | undefined {
    if (id === undefined) return undefined;
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (this.now() >= entry.expiresAt) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.state;
  }

  delete(id: string): void {
    this.entries.delete(id);
  }

  clear(): void {
    this.entries.clear();
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) if (now >= entry.expiresAt) this.entries.delete(id);
  }
}
