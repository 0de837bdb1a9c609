import { mayDo } from './access';
import { availableUps, type CommandContext, err, isReply, type Reply } from './context';
import type { Session } from './session';
import type { SimUps } from './state';
import { trackingUuid } from './tracking';

/** `SET VAR ups var value` and `SET TRACKING ON|OFF`; extra words are ignored, as upsd does. */
export function handleSet(ctx: CommandContext, session: Session, args: string[]): Reply {
  const [what = '', second = '', name = '', value = ''] = args;
  if (args.length < 2) return err('INVALID-ARGUMENT');
  const sub = what.toUpperCase();
  if (sub === 'VAR') {
    if (args.length < 4) return err('INVALID-ARGUMENT');
    return setVar(ctx, session, second, name, value);
  }
  if (sub === 'TRACKING') {
    const mode = second.toUpperCase();
    if (mode !== 'ON' && mode !== 'OFF') return err('INVALID-ARGUMENT');
    session.tracking = mode === 'ON';
    return ['OK'];
  }
  return err('INVALID-ARGUMENT');
}

function setVar(ctx: CommandContext, session: Session, upsName: string, name: string, value: string): Reply {
  const ups = availableUps(ctx, upsName);
  if (isReply(ups)) return ups;
  if (!mayDo(ctx, session, 'SET')) return err('ACCESS-DENIED');
  const refused = checkValue(ups, name, value);
  if (refused) return err(refused);
  // the driver socket refused the SET line
  if (ups.commandsFail) return err('SET-FAILED');

  const trackingId = session.tracking ? trackingUuid() : undefined;
  const variable = ups.variableName(name) ?? name;
  const previous = ups.rawValue(variable);
  ups.setVars({ [variable]: value }, ctx.now());
  if (trackingId !== undefined) {
    ctx.tracking.add(trackingId);
    ctx.trackingStarted(trackingId);
  }
  ctx.emit('setvar', { client: session.info, ups: ups.name, name: variable, value, previous, user: session.username ?? '', trackingId });
  return [trackingId === undefined ? 'OK' : `OK TRACKING ${trackingId}`];
}

/** upsd's set_var_check_val, in its order. */
function checkValue(ups: SimUps, name: string, value: string): string | undefined {
  if (!ups.hasVariable(name)) return 'VAR-NOT-SUPPORTED';
  if (!ups.isWritable(name)) return 'READONLY';
  const length = ups.stringLength(name);
  if (length !== undefined) {
    // a driver that declared a string without room is "insane": upsd refuses the SET
    if (length < 1) return 'SET-FAILED';
    if (value.length > length) return 'TOO-LONG';
  }
  const allowed = ups.enumValues(name);
  if (allowed.length > 0 && !allowed.includes(value)) return 'INVALID-VALUE';
  const ranges = ups.rangeLimits(name);
  if (ranges.length > 0) {
    const number = atoi(value);
    if (!ranges.some((r) => number >= r.min && number <= r.max)) return 'INVALID-VALUE';
  }
  return undefined;
}

/** C's atoi(): the leading integer, 0 when there is none ("abc" passes a range that holds 0). */
export function atoi(text: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  return match?.[1] === undefined ? 0 : Number.parseInt(match[1], 10);
}
