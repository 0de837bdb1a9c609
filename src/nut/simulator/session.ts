import type { ClientInfo } from './events';
import { RequestParser } from './parse-request';

/** What upsd remembers about one client connection. */
export class Session {
  readonly parser = new RequestParser();
  username: string | undefined;
  password: string | undefined;
  /** The UPS this client logged into (its canonical name), as LIST CLIENT shows it. */
  loginUps: string | undefined;
  tracking = false;
  /** Set by LOGOUT: upsd answers the rest of the read, then closes. */
  closing = false;
  /** Fault: the next reply is replaced by this line. */
  pendingGarbage: string | undefined;

  constructor(readonly info: ClientInfo) {}
}
