/** Findings for a parsed upsmon.conf: MONITOR lines, other directives, MINSUPPLIES and SHUTDOWNCMD. Pure: no I/O. */
import { parseNutBoolean } from './upsd-conf';
import { UPSMON_ROLES } from './upsd-users';
import {
  DEFAULT_MINSUPPLIES, type MonitorEntry, splitUpsSystem, UPSMON_CONF_DIRECTIVES, UPSMON_NOTIFY_FLAGS, UPSMON_NOTIFY_TYPES,
  type UpsmonConfParse, type UpsmonDirective,
} from './upsmon-conf';
import { classifyAddress, collector, type Emit, fromIssues, inLineOrder, isWholeNumber, type NutConfFinding, suggestion } from './validate-common';

const MONITOR_FORM = '`MONITOR upsname@host powervalue username password primary|secondary`';

function checkMonitor(monitor: MonitorEntry, emit: Emit): void {
  const { line } = monitor;
  if (monitor.fieldCount !== 5) {
    emit(line, 'error', `MONITOR needs exactly 5 fields after the keyword, as in ${MONITOR_FORM}, but this line has ${monitor.fieldCount}` +
      (monitor.fieldCount > 5 ? ': put a password that contains spaces in quotes' : ': upsmon ignores the line or refuses to start'));
    return;
  }
  const system = splitUpsSystem(monitor.system);
  if ('problem' in system) {
    emit(line, 'error', `MONITOR \`${monitor.system}\` ${system.problem}`);
  } else if (classifyAddress(system.host) === 'invalid') {
    emit(line, 'error', `MONITOR \`${monitor.system}\`: \`${system.host}\` is not an IPv4 or IPv6 address or a host name`);
  }
  if (monitor.powerValue === undefined || !isWholeNumber(monitor.powerValue)) {
    emit(line, 'error', 'the MONITOR power value (second field) must be a whole number: 1 for a UPS that powers this machine, 0 to watch it only');
  }
  if (monitor.user === '') emit(line, 'error', 'the MONITOR user name (third field) is empty: use a user from upsd.users');
  if (!monitor.hasPassword) emit(line, 'error', 'the MONITOR password (fourth field) is empty: use the password of the user in upsd.users');
  if (monitor.role === undefined || !(UPSMON_ROLES as readonly string[]).includes(monitor.role.toLowerCase())) {
    emit(line, 'error', 'the last MONITOR field must be `primary` or `secondary` (old names: `master`, `slave`): upsmon takes anything else as secondary, so it would never power this UPS off');
  }
}

function checkUpsmonDirective(directive: UpsmonDirective, emit: Emit): void {
  const { keyword, args, argCount, line } = directive;
  const spec = UPSMON_CONF_DIRECTIVES[keyword] ?? (keyword.toUpperCase() === 'DEBUG_MIN' ? UPSMON_CONF_DIRECTIVES.DEBUG_MIN : undefined);
  if (spec === undefined) {
    emit(line, 'warning', `unknown directive \`${keyword}\`: upsmon ignores this line.${suggestion(keyword, Object.keys(UPSMON_CONF_DIRECTIVES), true)}`);
    return;
  }
  if (spec.kind === 'monitor') return;
  if (args[0] === '=') {
    emit(line, 'error', `upsmon.conf takes no \`=\`: write \`${keyword} value\` (upsmon ignores this line)`);
    return;
  }
  if (argCount < spec.minArgs) {
    emit(line, 'error', `\`${keyword}\` needs ${spec.minArgs === 1 ? 'a value' : `${spec.minArgs} values`}: upsmon ignores this line`);
    return;
  }
  if (argCount > spec.maxArgs) {
    emit(line, 'warning', `\`${keyword}\` takes ${spec.maxArgs === 1 ? 'one value' : `${spec.maxArgs} values`}: upsmon ignores the extra words; quote a command or message that contains spaces`);
  }
  const [first = '', second = ''] = args;
  switch (spec.kind) {
    case 'integer':
      if (!isWholeNumber(first)) emit(line, 'error', `\`${keyword}\` must be a whole number, not \`${first}\`: upsmon reads anything else as 0 or ignores it`);
      return;
    case 'boolean-or-integer':
      if (parseNutBoolean(first) === undefined) emit(line, 'error', `\`${keyword}\` must be yes/no or a number of seconds, not \`${first}\``);
      return;
    case 'notifymsg':
    case 'notifyflag': {
      if (!(UPSMON_NOTIFY_TYPES as readonly string[]).includes(first.toUpperCase())) {
        emit(line, 'warning', `unknown notification type \`${first}\`: upsmon ignores this line.${suggestion(first, UPSMON_NOTIFY_TYPES, false)}`);
      }
      if (spec.kind === 'notifyflag') {
        for (const flag of second.split('+')) {
          if ((UPSMON_NOTIFY_FLAGS as readonly string[]).includes(flag)) continue;
          emit(line, 'warning', `unknown notify flag \`${flag}\`: use SYSLOG, WALL, EXEC or IGNORE joined with \`+\` (e.g. \`SYSLOG+EXEC\`).${suggestion(flag, UPSMON_NOTIFY_FLAGS, true)}`);
        }
      }
      return;
    }
    case 'certhost':
      if (!['0', '1'].includes(args[2] ?? '') || !['0', '1'].includes(args[3] ?? '')) {
        emit(line, 'error', '`CERTHOST` takes a host, a certificate name, then 0 or 1 (verify certificate) and 0 or 1 (force TLS)');
      }
      return;
    default:
      return;
  }
}

export function validateUpsmonConf(parse: UpsmonConfParse, file = 'upsmon.conf'): NutConfFinding[] {
  const { findings, emit } = collector(file);
  findings.push(...fromIssues(file, parse.issues));
  const { config } = parse;
  for (const directive of config.directives) checkUpsmonDirective(directive, emit);
  const systems = new Map<string, number>();
  let totalPowerValue = 0;
  for (const monitor of config.monitors) {
    checkMonitor(monitor, emit);
    if (monitor.fieldCount !== 5) continue;
    const first = systems.get(monitor.system);
    if (first !== undefined) {
      emit(monitor.line, 'warning', `\`${monitor.system}\` is already monitored at line ${first}: upsmon ignores this line`);
      continue;
    }
    systems.set(monitor.system, monitor.line);
    if (monitor.powerValue !== undefined && isWholeNumber(monitor.powerValue)) totalPowerValue += Number(monitor.powerValue);
  }
  if (config.monitors.length === 0) {
    emit(0, 'warning', 'upsmon.conf has no MONITOR line: upsmon watches no UPS and will never shut this machine down');
    return inLineOrder(findings);
  }
  const minSupplies = config.minSupplies ?? DEFAULT_MINSUPPLIES;
  if (totalPowerValue < minSupplies) {
    const minLine = config.directives.find((d) => d.keyword === 'MINSUPPLIES')?.line ?? config.monitors[0]?.line ?? 0;
    emit(minLine, 'error', `the MONITOR power values add up to ${totalPowerValue}, less than MINSUPPLIES (${minSupplies}): upsmon refuses to start; raise a power value or lower MINSUPPLIES`);
  }
  if (config.shutdownCmd === undefined && totalPowerValue > 0) {
    emit(0, 'warning', 'upsmon.conf has no SHUTDOWNCMD: upsmon cannot shut this machine down; add e.g. `SHUTDOWNCMD "/sbin/shutdown -h +0"`');
  }
  return inLineOrder(findings);
}
