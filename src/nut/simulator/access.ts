import type { CommandContext } from './context';
import type { Session } from './session';

/**
 * upsd's user_checkaction / user_checkinstcmd: the password is only compared here,
 * when a privileged request needs it, never at PASSWORD time. An unknown user, a
 * wrong password and a missing right all look the same to the client.
 */
export function mayDo(ctx: CommandContext, session: Session, action: 'LOGIN' | 'PRIMARY' | 'FSD' | 'SET'): boolean {
  const user = authenticated(ctx, session);
  return user !== undefined && user.may(action);
}

export function mayRun(ctx: CommandContext, session: Session, command: string): boolean {
  const user = authenticated(ctx, session);
  return user !== undefined && user.mayRun(command);
}

function authenticated(ctx: CommandContext, session: Session) {
  if (session.username === undefined || session.password === undefined) return undefined;
  const user = ctx.findUser(session.username);
  return user?.passwordMatches(session.password) ? user : undefined;
}
