import { randomBytes } from 'node:crypto';

export type NonceStyle = 'numeric' | 'opaque';

export interface NonceTableOptions {
  style: NonceStyle;
  maxUses: number;
  ttlMs: number;
  slots: number;
  now: () => number;
}

interface LiveNonce {
  issuedAt: number;
  uses: number;
  /** Highest nc accepted so far (header form); 0 before the first use. */
  lastNc: number;
}

export type NonceState = 'live' | 'retired' | 'unknown';

/** A fresh challenge is refused (429) while the oldest slot is younger than this. */
const SLOT_MIN_AGE_MS = 1000;
/** Retired nonces remembered so a late use is answered stale=true rather than as a stranger. */
const RETIRED_MEMORY = 1024;

/**
 * The device's nonce slots (firmware 2.0 rules): a nonce lives ttlMs or maxUses
 * uses, whichever ends first, and a new one takes a free slot or the oldest one
 * that is at least a second old; otherwise the caller must answer 429.
 */
export class NonceTable {
  /** Insertion order is issue order, so the first entry is the oldest. */
  private readonly live = new Map<string, LiveNonce>();
  private readonly retired = new Set<string>();
  private lastNumeric = 0;

  constructor(private readonly options: NonceTableOptions) {}

  /** A new nonce, or undefined when every slot was filled less than a second ago. */
  issue(): string | undefined {
    const now = this.options.now();
    this.retireExpired(now);
    if (this.live.size >= this.options.slots) {
      const oldest = this.live.entries().next().value;
      if (oldest === undefined || now - oldest[1].issuedAt < SLOT_MIN_AGE_MS) return undefined;
      this.retire(oldest[0]);
    }
    const nonce = this.generate(now);
    this.live.set(nonce, { issuedAt: now, uses: 0, lastNc: 0 });
    return nonce;
  }

  state(nonce: string): NonceState {
    const entry = this.live.get(nonce);
    if (entry) {
      if (this.options.now() - entry.issuedAt < this.options.ttlMs) return 'live';
      this.retire(nonce);
      return 'retired';
    }
    return this.retired.has(nonce) ? 'retired' : 'unknown';
  }

  /**
   * Spends one use of a live nonce. With an nc (header form) it must be above the
   * last one seen for this nonce, else 'replay' and nothing is spent.
   */
  use(nonce: string, nc: number | undefined): 'ok' | 'replay' {
    const entry = this.live.get(nonce);
    if (!entry) return 'replay';
    if (nc !== undefined) {
      if (nc <= entry.lastNc) return 'replay';
      entry.lastNc = nc;
    }
    entry.uses += 1;
    if (entry.uses >= this.options.maxUses) this.retire(nonce);
    return 'ok';
  }

  /** Every live nonce goes stale at once. */
  expireAll(): void {
    for (const nonce of [...this.live.keys()]) this.retire(nonce);
  }

  private retireExpired(now: number): void {
    for (const [nonce, entry] of [...this.live]) {
      if (now - entry.issuedAt >= this.options.ttlMs) this.retire(nonce);
    }
  }

  private retire(nonce: string): void {
    this.live.delete(nonce);
    this.retired.add(nonce);
    if (this.retired.size > RETIRED_MEMORY) {
      const first = this.retired.values().next().value;
      if (first !== undefined) this.retired.delete(first);
    }
  }

  private generate(now: number): string {
    if (this.options.style === 'numeric') {
      // old firmware: unix seconds; bumped so two nonces in one second still differ
      this.lastNumeric = Math.max(Math.floor(now / 1000), this.lastNumeric + 1);
      return String(this.lastNumeric);
    }
    // firmware 2.0: opaque base64; 16 bytes always end in '==', which tests a client's field splitting
    let nonce: string;
    do nonce = randomBytes(16).toString('base64');
    while (this.live.has(nonce) || this.retired.has(nonce));
    return nonce;
  }
}
