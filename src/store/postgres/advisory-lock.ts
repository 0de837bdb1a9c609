import type { Knex } from 'knex';
import type pg from 'pg';

/** The first key of every walNUT advisory lock ("WNUT"), so other applications' locks never collide. */
export const ADVISORY_NAMESPACE = 0x574e5554;

interface PoolClient {
  acquireConnection(): Promise<pg.Client>;
  releaseConnection(connection: pg.Client): Promise<void>;
}

export interface AdvisoryLock {
  release(): Promise<void>;
  /** Called once if the connection holding the lock dies first (a server restart, a cut network): the lock is gone with it. */
  onLost(listener: (error: Error) => void): void;
}

/**
 * Takes the session-level advisory lock `name` on a connection of its own, held
 * until release() (or until that connection dies with its process: a killed hub
 * never leaves a lock behind). Undefined when another session holds it.
 */
export function tryAdvisoryLock(knex: Knex, name: string): Promise<AdvisoryLock | undefined> {
  return advisoryLock(knex, name, 'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked');
}

/** Runs `work` holding the lock `name`, waiting for it first (hubs starting together migrate one after the other). */
export async function withAdvisoryLock<T>(knex: Knex, name: string, work: () => Promise<T>): Promise<T> {
  const lock = await advisoryLock(knex, name, 'SELECT pg_advisory_lock($1, hashtext($2)) IS NOT NULL AS locked');
  try {
    return await work();
  } finally {
    await lock?.release();
  }
}

async function advisoryLock(knex: Knex, name: string, sql: string): Promise<AdvisoryLock | undefined> {
  const client = knex.client as PoolClient;
  const connection = await client.acquireConnection();
  try {
    const result = await connection.query<{ locked: boolean }>(sql, [ADVISORY_NAMESPACE, name]);
    if (result.rows[0]?.locked !== true) {
      await client.releaseConnection(connection);
      return undefined;
    }
  } catch (error) {
    await client.releaseConnection(connection);
    throw error;
  }
  let released = false;
  let lost: Error | undefined;
  let borrowed = true;
  // A dead connection goes back at once (the pool discards it), so closing the pool never waits for it.
  const giveBack = async (): Promise<void> => {
    if (!borrowed) return;
    borrowed = false;
    await client.releaseConnection(connection);
  };
  const lostListeners: Array<(error: Error) => void> = [];
  const markLost = (error: Error): void => {
    if (released || lost) return;
    lost = error;
    void giveBack().catch(() => undefined);
    for (const listener of lostListeners) listener(error);
  };
  connection.once('error', markLost);
  connection.once('end', () => markLost(new Error('the connection holding the lock ended')));
  return {
    release: async () => {
      if (released) return;
      released = true;
      try {
        if (!lost) await connection.query('SELECT pg_advisory_unlock($1, hashtext($2))', [ADVISORY_NAMESPACE, name]);
      } finally {
        await giveBack();
      }
    },
    onLost: (listener) => {
      if (lost) listener(lost);
      else lostListeners.push(listener);
    },
  };
}
