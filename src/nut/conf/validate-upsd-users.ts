/** Findings for a parsed upsd.users: each user's password, actions, upsmon role and other settings. Pure: no I/O. */
import { effectiveUpsmonRole, UPSD_USER_ACTIONS, UPSD_USER_KEYS, UPSMON_ROLES, type UpsdUser, type UpsdUsersParse } from './upsd-users';
import { collector, type Emit, fromIssues, inLineOrder, type NutConfFinding, suggestion } from './validate-common';

function checkUser(user: UpsdUser, emit: Emit): void {
  const name = `\`${user.name}\``;
  const [firstPasswordLine, secondPasswordLine] = user.passwordLines;
  if (firstPasswordLine === undefined) {
    emit(user.line, 'error', `user ${name} has no password, so upsd refuses every login with it: add \`password = …\` to its section`);
  } else if (user.emptyPassword) {
    emit(firstPasswordLine, 'error', `user ${name} has an empty password: set a real one (and the same in upsmon.conf)`);
  } else if (user.passwordWordCount > 1) {
    emit(firstPasswordLine, 'error', `the password of user ${name} is several words and upsd keeps only the first: put the whole password in quotes`);
  }
  if (secondPasswordLine !== undefined) {
    emit(secondPasswordLine, 'warning', `user ${name} already has a password (line ${firstPasswordLine}): upsd keeps the first and ignores this one; remove one of them`);
  }
  for (const { value, line } of user.actions) {
    if ((UPSD_USER_ACTIONS as readonly string[]).includes(value.toUpperCase())) continue;
    emit(line, 'warning', `unknown action \`${value}\` for user ${name}: upsd knows \`SET\` and \`FSD\`.${suggestion(value, UPSD_USER_ACTIONS, false)}`);
  }
  for (const { value, line } of user.upsmon) {
    if ((UPSMON_ROLES as readonly string[]).includes(value.toLowerCase())) continue;
    emit(line, 'error', `unknown upsmon role \`${value}\` for user ${name}: write \`upsmon primary\` (the machine that powers the UPS off) or \`upsmon secondary\`; upsd grants nothing for this line`);
  }
  for (const { key, line } of user.otherSettings) {
    if (key.toLowerCase() === 'allowfrom') {
      emit(line, 'warning', '`allowfrom` is no longer used and upsd ignores it: restrict clients with LISTEN and a firewall');
    } else {
      emit(line, 'warning', `unknown setting \`${key}\` for user ${name}: upsd ignores it.${suggestion(key, UPSD_USER_KEYS, false)}`);
    }
  }
  if (effectiveUpsmonRole(user) === undefined && user.actions.length === 0 && user.instcmds.length === 0) {
    emit(user.line, 'warning', `user ${name} can do nothing: it has no \`upsmon\` role, \`actions\` or \`instcmds\`; add \`upsmon primary\` or \`upsmon secondary\` for upsmon, or actions/instcmds for an admin`);
  }
}

export function validateUpsdUsers(parse: UpsdUsersParse, file = 'upsd.users'): NutConfFinding[] {
  const { findings, emit } = collector(file);
  findings.push(...fromIssues(file, parse.issues));
  for (const user of parse.config.users) checkUser(user, emit);
  if (parse.config.users.length === 0) {
    emit(0, 'warning', 'upsd.users defines no `[user]`: no client can log in (upsmon needs a user with `upsmon primary` or `upsmon secondary`)');
  }
  return inLineOrder(findings);
}
