import type * as http from 'node:http';
import type { EventEmitter } from 'node:events';
import type { Express } from 'express';

/**
 * The slice of Node-RED's embedding API the hub uses. This file is the one
 * place in src/ that loads Node-RED: the composition root embeds it; no other
 * code in src/ knows it exists.
 */
export interface NodeRedRuntime {
  init(server: http.Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly httpAdmin: Express;
  readonly httpNode: Express;
  readonly events: EventEmitter;
  readonly nodes: { loadFlows(): Promise<void> };
}

export function loadNodeRed(): NodeRedRuntime {
  return require('node-red') as NodeRedRuntime;
}

/** Resolves when the flows are running: start() returns before they are. */
export function flowsStarted(red: NodeRedRuntime, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Node-RED flows did not start in time')), timeoutMs);
    red.events.once('flows:started', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
