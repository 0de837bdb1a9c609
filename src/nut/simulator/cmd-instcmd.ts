import { mayRun } from './access';
import { availableUps, type CommandContext, err, isReply, type Reply } from './context';
import type { Session } from './session';
import { trackingUuid } from './tracking';

/**
 * `INSTCMD ups cmd [param]`. upsd passes the parameter only when there are exactly
 * three words; a fourth word makes it send the command without one.
 */
export function handleInstcmd(ctx: CommandContext, session: Session, args: string[]): Reply {
  const [upsName = '', cmd = '', third] = args;
  if (args.length < 2) return err('INVALID-ARGUMENT');
  const param = args.length === 3 ? third : undefined;

  const ups = availableUps(ctx, upsName);
  if (isReply(ups)) return ups;
  if (!ups.hasCommand(cmd)) return err('CMD-NOT-SUPPORTED');
  if (!mayRun(ctx, session, cmd)) return err('ACCESS-DENIED');
  // the driver socket refused the INSTCMD line
  if (ups.commandsFail) return err('INSTCMD-FAILED');

  const trackingId = session.tracking ? trackingUuid() : undefined;
  if (trackingId !== undefined) {
    ctx.tracking.add(trackingId);
    ctx.trackingStarted(trackingId);
  }
  ctx.emit('instcmd', { client: session.info, ups: ups.name, cmd: ups.commandName(cmd) ?? cmd, param, user: session.username ?? '', trackingId });
  return [trackingId === undefined ? 'OK' : `OK TRACKING ${trackingId}`];
}
