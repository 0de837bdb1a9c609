import { mayDo } from './access';
import { type CommandContext, err, type Reply } from './context';
import type { Session } from './session';

export function handleUsername(session: Session, args: string[]): Reply {
  if (args.length !== 1) return err('INVALID-ARGUMENT');
  if (session.username !== undefined) return err('ALREADY-SET-USERNAME');
  session.username = args[0];
  return ['OK'];
}

/** Stored as given: upsd checks it only when a privileged request needs it. */
export function handlePassword(session: Session, args: string[]): Reply {
  if (args.length !== 1) return err('INVALID-ARGUMENT');
  if (session.password !== undefined) return err('ALREADY-SET-PASSWORD');
  session.password = args[0];
  return ['OK'];
}

/** LOGIN does not look at the driver: a UPS whose driver is down still counts logins. */
export function handleLogin(ctx: CommandContext, session: Session, args: string[]): Reply {
  if (args.length !== 1) return err('INVALID-ARGUMENT');
  if (session.loginUps !== undefined) return err('ALREADY-LOGGED-IN');
  const ups = ctx.findUps(args[0] ?? '');
  if (!ups) return err('UNKNOWN-UPS');
  if (!mayDo(ctx, session, 'LOGIN')) return err('ACCESS-DENIED');
  ups.numLogins += 1;
  session.loginUps = ups.name;
  ctx.emit('login', { client: session.info, ups: ups.name, user: session.username ?? '' });
  return ['OK'];
}

/** Answered, then the connection closes once the rest of this read is handled. */
export function handleLogout(ctx: CommandContext, session: Session, args: string[]): Reply {
  if (args.length !== 0) return err('INVALID-ARGUMENT');
  session.closing = true;
  ctx.emit('logout', { client: session.info, user: session.username, ups: session.loginUps });
  return ['OK Goodbye'];
}

/** PRIMARY and MASTER are one access check under two names (2.8.0 renamed MASTER). */
export function handlePrimary(ctx: CommandContext, session: Session, args: string[], word: 'PRIMARY' | 'MASTER'): Reply {
  if (args.length !== 1) return err('INVALID-ARGUMENT');
  if (!ctx.findUps(args[0] ?? '')) return err('UNKNOWN-UPS');
  if (!mayDo(ctx, session, 'PRIMARY')) return err('ACCESS-DENIED');
  return [`OK ${word}-GRANTED`];
}

/** Sets upsd's FSD latch: ups.status reads `FSD …` until the server restarts. */
export function handleFsd(ctx: CommandContext, session: Session, args: string[]): Reply {
  if (args.length !== 1) return err('INVALID-ARGUMENT');
  const ups = ctx.findUps(args[0] ?? '');
  if (!ups) return err('UNKNOWN-UPS');
  if (!mayDo(ctx, session, 'FSD')) return err('ACCESS-DENIED');
  ups.fsd = true;
  ctx.emit('fsd', { client: session.info, ups: ups.name, user: session.username ?? '' });
  return ['OK FSD-SET'];
}
