import { availableUps, type CommandContext, err, isReply, type Reply } from './context';
import { quoted } from './escape';

/** `LIST …`: header and footer repeat the query as the client wrote it. */
export function handleList(ctx: CommandContext, args: string[]): Reply {
  const [what = '', ups = '', name = ''] = args;
  if (args.length < 1) return err('INVALID-ARGUMENT');
  const sub = what.toUpperCase();
  if (sub === 'UPS') return listUps(ctx);
  if (args.length < 2) return err('INVALID-ARGUMENT');
  switch (sub) {
    case 'VAR':
      return listVar(ctx, ups);
    case 'RW':
      return listRw(ctx, ups);
    case 'CMD':
      return listCmd(ctx, ups);
    case 'CLIENT':
      return listClient(ctx, ups);
  }
  if (args.length < 3) return err('INVALID-ARGUMENT');
  switch (sub) {
    case 'ENUM':
      return listEnum(ctx, ups, name);
    case 'RANGE':
      return listRange(ctx, ups, name);
    default:
      return err('INVALID-ARGUMENT');
  }
}

function block(query: string, lines: string[]): Reply {
  return [`BEGIN LIST ${query}`, ...lines, `END LIST ${query}`];
}

function listUps(ctx: CommandContext): Reply {
  return block(
    'UPS',
    ctx.allUps().map((ups) => `UPS ${ups.name} ${quoted(ups.description ?? 'Description unavailable')}`),
  );
}

function listVar(ctx: CommandContext, name: string): Reply {
  const ups = availableUps(ctx, name);
  if (isReply(ups)) return ups;
  return block(`VAR ${name}`, ups.variables().map((v) => `VAR ${name} ${v.name} ${quoted(v.value)}`));
}

function listRw(ctx: CommandContext, name: string): Reply {
  const ups = availableUps(ctx, name);
  if (isReply(ups)) return ups;
  return block(`RW ${name}`, ups.writableVariables().map((v) => `RW ${name} ${v.name} ${quoted(v.value)}`));
}

function listCmd(ctx: CommandContext, name: string): Reply {
  const ups = availableUps(ctx, name);
  if (isReply(ups)) return ups;
  return block(`CMD ${name}`, ups.commandNames().map((cmd) => `CMD ${name} ${cmd}`));
}

/** No driver check: the client list is upsd's own. Lines carry the UPS's own name. */
function listClient(ctx: CommandContext, name: string): Reply {
  const ups = ctx.findUps(name);
  if (!ups) return err('UNKNOWN-UPS');
  const lines = ctx
    .sessions()
    .filter((s) => s.loginUps !== undefined && s.loginUps.toLowerCase() === ups.name.toLowerCase())
    .map((s) => `CLIENT ${s.loginUps ?? ''} ${s.info.address}`);
  return block(`CLIENT ${name}`, lines);
}

function listEnum(ctx: CommandContext, upsName: string, variable: string): Reply {
  const ups = availableUps(ctx, upsName);
  if (isReply(ups)) return ups;
  if (!ups.hasVariable(variable)) return err('VAR-NOT-SUPPORTED');
  return block(
    `ENUM ${upsName} ${variable}`,
    ups.enumValues(variable).map((value) => `ENUM ${upsName} ${variable} ${quoted(value)}`),
  );
}

function listRange(ctx: CommandContext, upsName: string, variable: string): Reply {
  const ups = availableUps(ctx, upsName);
  if (isReply(ups)) return ups;
  if (!ups.hasVariable(variable)) return err('VAR-NOT-SUPPORTED');
  return block(
    `RANGE ${upsName} ${variable}`,
    ups.rangeLimits(variable).map((r) => `RANGE ${upsName} ${variable} "${r.min}" "${r.max}"`),
  );
}
