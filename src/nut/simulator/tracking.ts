import { randomBytes } from 'node:crypto';
import type { TrackingResult } from './events';

export type TrackingStatus = 'PENDING' | TrackingResult;

/** A version-4 UUID in upsd's spelling: upper-case hex. */
export function trackingUuid(): string {
  const bytes = randomBytes(16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * upsd's table of SET/INSTCMD outcomes by tracking id (shared by all clients,
 * looked up without regard to case). An id is PENDING until the simulated driver
 * reports back.
 */
export class TrackingTable {
  private readonly entries = new Map<string, TrackingStatus>();

  add(id: string): void {
    this.entries.set(id.toUpperCase(), 'PENDING');
  }

  /** Returns false when the id is unknown or already settled. */
  resolve(id: string, result: TrackingResult): boolean {
    const key = id.toUpperCase();
    if (this.entries.get(key) !== 'PENDING') return false;
    this.entries.set(key, result);
    return true;
  }

  /** The reply line for `GET TRACKING id`. */
  status(id: string): TrackingStatus {
    return this.entries.get(id.toUpperCase()) ?? 'ERR UNKNOWN';
  }

  pendingIds(): string[] {
    return [...this.entries].filter(([, status]) => status === 'PENDING').map(([id]) => id);
  }

  clear(): void {
    this.entries.clear();
  }
}
