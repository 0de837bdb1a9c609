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
 * every request that carries a token, `authenticate` at each login, and
 * `default` on every request without a token (the anonymous user, or none).
 */
export interface NodeRedAdminAuth {
  type: 'credentials';
  users: (username: string) => Promise<EditorUser | null>;
  authenticate: (username: string, password: string) => Promise<EditorUser | null>;
  default: () => Promise<AnonymousEditor | null>;
}

export interface AnonymousEditor {
  anonymous: true;
  permissions: '*';
}

/**
 * The editor's adminAuth, read from the users table at each login and each
 * request, so users added, changed or removed with the CLI take effect at
 * once: while no user exists an editor on loopback is open to this machine
 * (assertEditorBind keeps it there at start), and the first `walnut users add`
 * turns its login on without a restart; a removed user's open sessions end at
 * their next request. An editor bound beyond loopback never opens without a
 * login, even after its last user is removed. Node-RED does not catch a
 * rejection from these functions (the request would hang), so a store error
 * is reported to `onError` and answered as "no such user" and "no anonymous".
 */
export function adminAuthFor(knex: Knex, options: { loopback: boolean; onError?: (error: unknown) => void }): NodeRedAdminAuth {
  const guarded = async <T>(work: () => Promise<T | null>): Promise<T | null> => {
    try {
      return await work();
    } catch (error) {
      options.onError?.(error);
      return null;
    }
  };
  const anonymous: AnonymousEditor = { anonymous: true, permissions: '*' };
  return {
    type: 'credentials',
    users: (username) => guarded(() => findEditorUser(knex, username)),
    authenticate: (username, password) => guarded(() => checkPassword(knex, username, password)),
    default: () => guarded(async () => (options.loopback && (await countUsers(knex)) === 0 ? anonymous : null)),
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
