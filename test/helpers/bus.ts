import type { EventBus } from '../../src/bus';
import type { NutEvent, NutEventType } from '../../src/nut/events';
import type { UpsSnapshot } from '../../src/nut/snapshot';

/** Resolves with the first UPS event of `type` (and matching `where`), or fails after `timeoutMs`. */
export function nextUpsEvent(bus: EventBus, type: NutEventType, timeoutMs = 15_000, where: (event: NutEvent) => boolean = () => true): Promise<NutEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${type} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = bus.onUpsEvent((event) => {
      if (event.type !== type || !where(event)) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

/** Resolves with the first snapshot matching `where`. */
export function nextSnapshot(bus: EventBus, where: (snapshot: UpsSnapshot) => boolean, timeoutMs = 15_000): Promise<UpsSnapshot> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching snapshot within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = bus.onUpsSnapshot((snapshot) => {
      if (!where(snapshot)) return;
      clearTimeout(timer);
      off();
      resolve(snapshot);
    });
  });
}

/** The first payload an `onX` subscription delivers that matches `where`, or a failure after `timeoutMs`. */
export function nextOf<T>(
  subscribe: (listener: (payload: T) => void) => () => void,
  where: (payload: T) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = subscribe((payload) => {
      if (!where(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}
