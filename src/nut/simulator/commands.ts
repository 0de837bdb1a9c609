import { handleGet } from './cmd-get';
import { handleInstcmd } from './cmd-instcmd';
import { handleList } from './cmd-list';
import { handleSet } from './cmd-set';
import { handleFsd, handleLogin, handleLogout, handlePassword, handlePrimary, handleUsername } from './cmd-user';
import { type CommandContext, err, type Reply } from './context';
import type { Session } from './session';

const HELP = 'Commands: HELP VER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS';
const NETWORK_PROTOCOL_VERSION = '1.3';

interface CommandSpec {
  /** FLAG_USER in upsd: USERNAME and PASSWORD must have been sent (not checked) first. */
  needsUser: boolean;
  run(ctx: CommandContext, session: Session, args: string[]): Reply;
}

/** A command that takes no arguments. */
function fixed(line: (ctx: CommandContext) => string): CommandSpec {
  return { needsUser: false, run: (ctx, _session, args) => (args.length === 0 ? [line(ctx)] : err('INVALID-ARGUMENT')) };
}

const COMMANDS = new Map<string, CommandSpec>(Object.entries({
  VER: fixed((ctx) => `Network UPS Tools upsd ${ctx.version} - http://www.networkupstools.org/`),
  NETVER: fixed(() => NETWORK_PROTOCOL_VERSION),
  PROTVER: fixed(() => NETWORK_PROTOCOL_VERSION),
  HELP: fixed(() => HELP),
  // the simulator has no certificates, like an upsd without CERTFILE/CERTPATH
  STARTTLS: { needsUser: false, run: () => err('FEATURE-NOT-CONFIGURED') },
  GET: { needsUser: false, run: (ctx, session, args) => handleGet(ctx, session, args) },
  LIST: { needsUser: false, run: (ctx, _session, args) => handleList(ctx, args) },
  USERNAME: { needsUser: false, run: (_ctx, session, args) => handleUsername(session, args) },
  PASSWORD: { needsUser: false, run: (_ctx, session, args) => handlePassword(session, args) },
  LOGIN: { needsUser: true, run: handleLogin },
  LOGOUT: { needsUser: false, run: handleLogout },
  PRIMARY: { needsUser: true, run: (ctx, session, args) => handlePrimary(ctx, session, args, 'PRIMARY') },
  MASTER: { needsUser: true, run: (ctx, session, args) => handlePrimary(ctx, session, args, 'MASTER') },
  FSD: { needsUser: true, run: handleFsd },
  SET: { needsUser: true, run: handleSet },
  INSTCMD: { needsUser: true, run: handleInstcmd },
} satisfies Record<string, CommandSpec>));

/** upsd's parse_net + check_command: one request line in, its reply lines out. */
export function executeRequest(ctx: CommandContext, session: Session, request: string[]): Reply {
  const [word, ...args] = request;
  if (word === undefined) return err('UNKNOWN-COMMAND');
  const spec = COMMANDS.get(word.toUpperCase());
  if (!spec) return err('UNKNOWN-COMMAND');
  if (spec.needsUser) {
    if (session.username === undefined) return err('USERNAME-REQUIRED');
    if (session.password === undefined) return err('PASSWORD-REQUIRED');
  }
  return spec.run(ctx, session, args);
}
