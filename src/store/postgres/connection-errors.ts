import { StoreConnectionError } from '../../errors';

/** What a failed first query says, in the terms of the setting the user can change. */
export function connectionError(error: unknown, location: string): Error {
  const { code, message } = error as { code?: string; message?: string };
  switch (code) {
    case '28P01':
    case '28000':
      return new StoreConnectionError('STORE_AUTH', `PostgreSQL at ${location} refused the login: check the user and password in DATABASE_URL`, { cause: error });
    case '3D000':
      return new StoreConnectionError('STORE_DATABASE_MISSING', `PostgreSQL at ${location}: the database does not exist (create it, owned by the DATABASE_URL user)`, { cause: error });
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
      return new StoreConnectionError('STORE_UNREACHABLE', `PostgreSQL at ${location} cannot be reached (${code}): is the server running, and does DATABASE_URL name the right host and port?`, { cause: error });
    default:
      if (/timeout acquiring a connection/i.test(message ?? '')) {
        return new StoreConnectionError('STORE_UNREACHABLE', `PostgreSQL at ${location} did not answer in time: is the server running and reachable?`, { cause: error });
      }
      return error instanceof Error ? error : new Error(String(error));
  }
}
