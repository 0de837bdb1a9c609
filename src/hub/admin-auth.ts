/**
 * The Node-RED editor's login, backed by the store's `users` table
 * (`walnut users add NAME`), and the rule that an editor without users stays
 * on loopback.
 */
import * as net from 'node:net';
import type { Knex } from 'knex';
import { HubStartError } from '../errors';
import { checkPassword, countUsers, type EditorUser, findEditorUser } from '../store/users';

/**
 * Node-RED's `adminAuth` setting, the `credentials` type with functions
 * (node_modules/@node-red/editor-api/lib/auth/users.js): `users` is asked on
 * every request that carries a token, `authenticate` at each login.
 */
export interface NodeRedAdminAuth {
  type: 'credentials';
  users: (username: string) => Promise<EditorUser | null>;
  authenticate: (username: string, password: string) => Promise<EditorUser | null>;
}

/**
 * The editor's adminAuth, or undefined when no user exists (the editor is then
 * open, and assertEditorBind keeps it on loopback). The table is read at each
 * login and each request, so users added, changed or removed with the CLI take
 * effect without a restart; a removed user's open sessions end at their next
 * request. Node-RED does not catch a rejection from these functions (the
 * request would hang), so a store error is reported to `onError` and answered
 * as "no such user".
 */
export async function adminAuthFor(knex: Knex, onError: (error: unknown) => void = () => {}): Promise<NodeRedAdminAuth | undefined> {
  if ((await countUsers(knex)) === 0) return undefined;
  const guarded = async (work: () => Promise<EditorUser | null>): Promise<EditorUser | null> => {
    try {
      return await work();
    } catch (error) {
      onError(error);
      return null;
    }
  };
  return {
    type: 'credentials',
    users: (username) => guarded(() => findEditorUser(knex, username)),
    authenticate: (username, password) => guarded(() => checkPassword(knex, username, password)),
  };
}

/** 127.0.0.0/8, ::1, IPv4-mapped 127.x, and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost') return true;
  if (net.isIPv4(bare)) return bare.split('.')[0] === '127';
  if (net.isIPv6(bare)) {
    // The URL parser writes IPv6 in its canonical short form: [::1], [::ffff:7f00:1] for ::ffff:127.0.0.1.
    const canonical = new URL(`http://[${bare}]/`).hostname;
    return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
  }
  return false;
}

/**
 * Refuses to start an editor without a login on anything but loopback: whoever
 * reaches it could rewrite the flows, and the flows shut machines down.
 */
export function assertEditorBind(host: string, hasUsers: boolean): void {
  if (hasUsers || isLoopbackHost(host)) return;
  throw new HubStartError(
    'editor',
    `WALNUT_HTTP_HOST is ${host}, not a loopback address, and no editor user exists, so anyone who reaches it could change the flows. ` +
      'Run "walnut users add NAME" first, or bind WALNUT_HTTP_HOST to 127.0.0.1',
  );
}
