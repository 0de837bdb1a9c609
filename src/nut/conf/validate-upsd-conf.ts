/** Findings for a parsed upsd.conf: directives, their values, and LISTEN addresses. Pure: no I/O. */
import {
  DEFAULT_UPSD_PORT, parseNutBoolean, UPSD_CONF_DIRECTIVES, type UpsdConfParse, type UpsdDirective, type UpsdListen,
} from './upsd-conf';
import {
  classifyAddress, collector, type Emit, fromIssues, inLineOrder, isLoopbackAddress, isValidPort, isWholeNumber, isWildcardAddress,
  type NutConfFinding, suggestion,
} from './validate-common';

function checkListen(listen: UpsdListen, emit: Emit): void {
  const { address, port, line } = listen;
  if (address.startsWith('[') && address.endsWith(']')) {
    emit(line, 'error', `LISTEN \`${address}\`: write IPv6 addresses without brackets in upsd.conf (e.g. \`LISTEN ::1 3493\`)`);
    return;
  }
  const kind = classifyAddress(address);
  if (kind === 'invalid') {
    emit(line, 'error', `LISTEN \`${address}\` is not an IPv4 or IPv6 address or a host name: upsd cannot listen on it`);
  }
  if (port !== undefined && !isValidPort(port)) {
    emit(line, 'error', `LISTEN port \`${port}\` is not a number from 1 to 65535: write e.g. \`LISTEN ${address} ${DEFAULT_UPSD_PORT}\``);
  }
  if (kind === 'invalid' || isLoopbackAddress(address)) return;
  if (isWildcardAddress(address)) {
    emit(line, 'warning', `LISTEN \`${address}\` makes upsd reachable on every network interface: listen on loopback or one LAN address, and let a firewall limit port ${port ?? DEFAULT_UPSD_PORT} to the machines that monitor this UPS`);
  } else {
    emit(line, 'warning', `LISTEN \`${address}\` makes upsd reachable from the network: make sure a firewall limits port ${port ?? DEFAULT_UPSD_PORT} to the machines that monitor this UPS`);
  }
}

function checkUpsdDirective(directive: UpsdDirective, emit: Emit): void {
  const { keyword, args, argCount, line } = directive;
  const spec = UPSD_CONF_DIRECTIVES[keyword];
  if (spec === undefined) {
    const known = Object.keys(UPSD_CONF_DIRECTIVES);
    if (keyword.startsWith('[')) emit(line, 'error', 'upsd.conf has no sections: UPS sections belong in ups.conf, user sections in upsd.users');
    else emit(line, 'warning', `unknown directive \`${keyword}\`: upsd ignores this line.${suggestion(keyword, known, true)}`);
    return;
  }
  if (args[0] === '=') {
    emit(line, 'error', `upsd.conf takes no \`=\`: write \`${keyword} value\` (upsd does not understand this line)`);
    return;
  }
  if (spec.kind === 'obsolete') {
    emit(line, 'warning', `\`${keyword}\` was removed in NUT 2.4 and upsd ignores it: choose addresses with LISTEN and restrict clients with a firewall`);
    return;
  }
  if (argCount < spec.minArgs) {
    emit(line, 'error', keyword === 'CERTIDENT'
      ? '`CERTIDENT` needs a certificate name and its database password: write `CERTIDENT name password`'
      : `\`${keyword}\` needs a value: upsd ignores this line`);
    return;
  }
  if (argCount > spec.maxArgs) {
    emit(line, 'warning', `\`${keyword}\` takes ${spec.maxArgs === 1 ? 'one value' : `at most ${spec.maxArgs} values`}: upsd ignores the extra words; quote a path that contains spaces`);
  }
  const [value = ''] = args;
  switch (spec.kind) {
    case 'integer':
      if (!isWholeNumber(value)) emit(line, 'error', `\`${keyword}\` must be a whole number, not \`${value}\`: upsd ignores this line and keeps its default`);
      return;
    case 'boolean':
      if (parseNutBoolean(value) === undefined) emit(line, 'error', `\`${keyword}\` must be \`yes\`/\`no\` (or \`true\`/\`false\`, \`on\`/\`off\`, a number), not \`${value}\``);
      return;
    case 'certrequest':
      if (!['0', '1', '2'].includes(value)) emit(line, 'error', `\`CERTREQUEST\` must be 0 (no client certificate), 1 (request) or 2 (require), not \`${value}\``);
      return;
    default:
      return;
  }
}

const SINGLE_VALUED_UPSD = new Set(Object.keys(UPSD_CONF_DIRECTIVES).filter((k) => k !== 'LISTEN' && UPSD_CONF_DIRECTIVES[k]?.kind !== 'obsolete'));

export function validateUpsdConf(parse: UpsdConfParse, file = 'upsd.conf'): NutConfFinding[] {
  const { findings, emit } = collector(file);
  findings.push(...fromIssues(file, parse.issues));
  const firstLine = new Map<string, number>();
  for (const directive of parse.config.directives) {
    checkUpsdDirective(directive, emit);
    if (!SINGLE_VALUED_UPSD.has(directive.keyword)) continue;
    const first = firstLine.get(directive.keyword);
    if (first === undefined) firstLine.set(directive.keyword, directive.line);
    else emit(directive.line, 'warning', `\`${directive.keyword}\` is set again (first at line ${first}): upsd uses this later value; remove one of them`);
  }
  const listenSeen = new Map<string, number>();
  for (const listen of parse.config.listen) {
    checkListen(listen, emit);
    const key = `${listen.address.toLowerCase()} ${listen.port ?? DEFAULT_UPSD_PORT}`;
    const first = listenSeen.get(key);
    if (first === undefined) listenSeen.set(key, listen.line);
    else emit(listen.line, 'warning', `the same LISTEN address and port as line ${first}: upsd cannot bind it twice; remove this line`);
  }
  return inLineOrder(findings);
}
