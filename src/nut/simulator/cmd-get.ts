import { availableUps, type CommandContext, err, isReply, type Reply } from './context';
import { quoted } from './escape';
import type { Session } from './session';

const SERVER_URL = 'http://www.networkupstools.org/';

/** `GET …`: argument checks in upsd's order (TRACKING, then 2-word, then 3-word forms). */
export function handleGet(ctx: CommandContext, session: Session, args: string[]): Reply {
  const [what = '', ups = '', name = ''] = args;
  if (args.length < 1) return err('INVALID-ARGUMENT');
  const sub = what.toUpperCase();
  if (sub === 'TRACKING') {
    if (args.length < 2) return [session.tracking ? 'ON' : 'OFF'];
    if (!session.tracking) return err('FEATURE-NOT-CONFIGURED');
    return [ctx.tracking.status(ups)];
  }
  if (args.length < 2) return err('INVALID-ARGUMENT');
  if (sub === 'NUMLOGINS') return getNumLogins(ctx, ups);
  if (sub === 'UPSDESC') return getUpsDesc(ctx, ups);
  if (args.length < 3) return err('INVALID-ARGUMENT');
  switch (sub) {
    case 'VAR':
      return getVar(ctx, ups, name);
    case 'TYPE':
      return getType(ctx, ups, name);
    case 'DESC':
      return getDesc(ctx, ups, name);
    case 'CMDDESC':
      return getCmdDesc(ctx, ups, name);
    default:
      return err('INVALID-ARGUMENT');
  }
}

function getNumLogins(ctx: CommandContext, name: string): Reply {
  const ups = availableUps(ctx, name);
  if (isReply(ups)) return ups;
  return [`NUMLOGINS ${name} ${ups.numLogins}`];
}

/** No driver check here: the description comes from ups.conf, not the driver. */
function getUpsDesc(ctx: CommandContext, name: string): Reply {
  const ups = ctx.findUps(name);
  if (!ups) return err('UNKNOWN-UPS');
  return [`UPSDESC ${name} ${quoted(ups.description ?? 'Unavailable')}`];
}

/** server.* variables answer for any UPS name, known or not. */
function getServerVar(ctx: CommandContext, ups: string, name: string): Reply {
  switch (name.toLowerCase()) {
    case 'server.info':
      return [`VAR ${ups} server.info "Network UPS Tools upsd ${ctx.version} - ${SERVER_URL}"`];
    case 'server.version':
      return [`VAR ${ups} server.version "${ctx.version}"`];
    default:
      return err('VAR-NOT-SUPPORTED');
  }
}

function getVar(ctx: CommandContext, upsName: string, name: string): Reply {
  if (name.toLowerCase().startsWith('server.')) return getServerVar(ctx, upsName, name);
  const ups = availableUps(ctx, upsName);
  if (isReply(ups)) return ups;
  const value = ups.reportedValue(name);
  if (value === undefined) return err('VAR-NOT-SUPPORTED');
  return [`VAR ${upsName} ${name} ${quoted(value)}`];
}

/** Without a STRING flag upsd calls every variable a NUMBER, even `driver.name`. */
function getType(ctx: CommandContext, upsName: string, name: string): Reply {
  const ups = availableUps(ctx, upsName);
  if (isReply(ups)) return ups;
  if (!ups.hasVariable(name)) return err('VAR-NOT-SUPPORTED');
  const words = ['TYPE', upsName, name];
  if (ups.isWritable(name)) words.push('RW');
  if (ups.enumValues(name).length > 0) words.push('ENUM');
  if (ups.rangeLimits(name).length > 0) words.push('RANGE');
  const length = ups.stringLength(name);
  words.push(length === undefined ? 'NUMBER' : `STRING:${length}`);
  return [words.join(' ')];
}

/** Descriptions do not depend on the variable existing, only on the UPS being usable. */
function getDesc(ctx: CommandContext, upsName: string, name: string): Reply {
  const ups = availableUps(ctx, upsName);
  if (isReply(ups)) return ups;
  return [`DESC ${upsName} ${name} ${quoted(ups.variableDescription(name) ?? 'Description unavailable')}`];
}

function getCmdDesc(ctx: CommandContext, upsName: string, name: string): Reply {
  const ups = availableUps(ctx, upsName);
  if (isReply(ups)) return ups;
  return [`CMDDESC ${upsName} ${name} ${quoted(ups.commandDescription(name) ?? 'Description unavailable')}`];
}
