/**
 * upsd.users: one `[username]` section per user with `password`, `actions`,
 * `instcmds` and `upsmon <role>`, read as server/user.c does (its setting
 * names and roles are case-insensitive; `key = v1 v2` gives every value).
 * Passwords are kept out of the structure: `passwords` maps user name to the
 * first password upsd would use, for cross-checks against upsmon.conf.
 */
import { type ConfIssue, readAssignment, tokenizeNutConf } from './tokenizer';

export const UPSD_USER_KEYS = ['password', 'actions', 'instcmds', 'upsmon', 'allowfrom'] as const;
export const UPSD_USER_ACTIONS = ['SET', 'FSD'] as const;
/** primary (old: master) grants LOGIN, PRIMARY and FSD; secondary (old: slave) grants LOGIN. */
export const UPSMON_ROLES = ['primary', 'secondary', 'master', 'slave'] as const;
export type UpsmonRole = 'primary' | 'secondary';

export interface UserValue {
  value: string;
  line: number;
}

export interface UpsdUser {
  name: string;
  line: number;
  /** Line of each `password` setting (the first one counts); the values are never kept here. */
  passwordLines: number[];
  /** How many words the first password setting had: upsd keeps only the first word. */
  passwordWordCount: number;
  emptyPassword: boolean;
  actions: UserValue[];
  instcmds: UserValue[];
  /** Each `upsmon` setting as written (validate.ts reports unknown roles). */
  upsmon: UserValue[];
  /** Other settings, by name and line only (their values might be anything). */
  otherSettings: Array<{ key: string; line: number }>;
}

export interface UpsdUsers {
  users: UpsdUser[];
}

export interface UpsdUsersParse {
  config: UpsdUsers;
  issues: ConfIssue[];
  /** User name → the password upsd uses; never print it. */
  passwords: ReadonlyMap<string, string>;
}

/** The role upsd grants for a user's `upsmon` settings; undefined when none is valid. */
export function effectiveUpsmonRole(user: Pick<UpsdUser, 'upsmon'>): UpsmonRole | undefined {
  let role: UpsmonRole | undefined;
  for (const { value } of user.upsmon) {
    const lower = value.toLowerCase();
    // Roles add rights: a later `secondary` does not take away an earlier `primary`.
    if (lower === 'primary' || lower === 'master') role = 'primary';
    else if ((lower === 'secondary' || lower === 'slave') && role === undefined) role = 'secondary';
  }
  return role;
}

export function parseUpsdUsers(text: string): UpsdUsersParse {
  const tokens = tokenizeNutConf(text);
  const issues: ConfIssue[] = [...tokens.issues];
  const users: UpsdUser[] = [];
  const passwords = new Map<string, string>();
  let current: UpsdUser | undefined;

  for (const statement of tokens.statements) {
    if (statement.kind === 'section') {
      const previous = users.find((u) => u.name === statement.name);
      if (previous !== undefined) {
        issues.push({
          line: statement.line, column: statement.column, severity: 'error',
          message: `user \`${statement.name}\` is already defined at line ${previous.line}: upsd ignores this header and ` +
            'adds the settings below it to the user above; merge the two sections',
        });
        continue;
      }
      current = {
        name: statement.name, line: statement.line, passwordLines: [], passwordWordCount: 0, emptyPassword: false,
        actions: [], instcmds: [], upsmon: [], otherSettings: [],
      };
      users.push(current);
      continue;
    }
    const [first, second] = statement.words;
    if (first === undefined) continue;
    // The pre-2.0 format's `user` lines are skipped by upsd.
    if (first.text.toLowerCase() === 'user') continue;
    const { line, column } = statement;
    let key: string;
    let values: string[];
    if (first.text.toLowerCase() === 'upsmon' && second !== undefined && second.text !== '=') {
      key = 'upsmon';
      values = [second.text];
    } else {
      const assignment = readAssignment(statement.words);
      if (assignment === undefined) continue;
      if (assignment.kind !== 'assignment') {
        issues.push({ line, column, severity: 'error', message: malformedMessage(assignment.key, assignment.kind === 'flag' ? 'missing-value' : assignment.problem) });
        continue;
      }
      key = assignment.key;
      values = assignment.values;
    }
    if (current === undefined) {
      issues.push({ line, column, severity: 'warning', message: `\`${safeKey(key)}\` comes before any \`[username]\` section, so upsd ignores it: move it into a user's section` });
      continue;
    }
    addSetting(current, key.toLowerCase(), key, values, line, passwords);
  }
  return { config: { users }, issues, passwords };
}

function addSetting(user: UpsdUser, key: string, written: string, values: string[], line: number, passwords: Map<string, string>): void {
  switch (key) {
    case 'password': {
      user.passwordLines.push(line);
      if (user.passwordLines.length === 1) {
        const [value = ''] = values;
        user.passwordWordCount = values.length;
        user.emptyPassword = value === '';
        passwords.set(user.name, value);
      }
      return;
    }
    case 'actions':
      user.actions.push(...values.map((value) => ({ value, line })));
      return;
    case 'instcmds':
      user.instcmds.push(...values.map((value) => ({ value, line })));
      return;
    case 'upsmon':
      user.upsmon.push(...values.map((value) => ({ value, line })));
      return;
    default:
      user.otherSettings.push({ key: written, line });
  }
}

function malformedMessage(key: string, problem: 'missing-equals' | 'missing-value'): string {
  const name = safeKey(key);
  if (name === 'password') {
    // Never echo what followed: it is the password.
    return problem === 'missing-equals'
      ? 'the password setting needs `=` (upsd ignores this line): write `password = …`'
      : 'the password setting has no value (upsd ignores this line): write `password = …`';
  }
  return problem === 'missing-equals'
    ? `\`${name}\` needs \`=\` before its value (upsd ignores this line): write \`${name} = value\``
    : `\`${name}\` has no value (upsd ignores this line): write \`${name} = value\``;
}

/** Setting names are echoed in messages; a name that looks like anything but a name is not. */
function safeKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/.test(key) ? key : 'this setting';
}
