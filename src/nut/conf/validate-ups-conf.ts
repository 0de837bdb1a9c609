/** Findings for a parsed ups.conf: global settings, UPS sections, their keys and values. Pure: no I/O. */
import {
  COMMON_DRIVER_PARAMETERS, UPS_CONF_GLOBAL_KEYS, UPS_CONF_SECTION_KEYS, type UpsConfParse, type UpsConfSetting,
} from './ups-conf';
import {
  collector, type Emit, fromIssues, inLineOrder, isInteger, isWholeNumber, type NutConfFinding, suggestion,
} from './validate-common';

type UpsValueRule = 'text' | 'flag' | 'wholeNumber' | 'positiveNumber' | 'integer' | 'synchronous';

const UPS_CONF_VALUE_RULES: Readonly<Record<string, UpsValueRule>> = {
  driver: 'text', port: 'text', desc: 'text', chroot: 'text', driverpath: 'text', user: 'text', group: 'text', sdcommands: 'text',
  nolock: 'flag', ignorelb: 'flag', allow_killpower: 'flag', nowait: 'flag',
  sdorder: 'integer',
  maxretry: 'positiveNumber', pollinterval: 'positiveNumber',
  retrydelay: 'wholeNumber', maxstartdelay: 'wholeNumber', debug_min: 'wholeNumber', LIBUSB_DEBUG: 'wholeNumber',
  offdelay: 'wholeNumber', ondelay: 'wholeNumber', pollfreq: 'wholeNumber',
  synchronous: 'synchronous',
};

const SECTION_ONLY_KEYS = new Set<string>([
  ...UPS_CONF_SECTION_KEYS.filter((key) => !(UPS_CONF_GLOBAL_KEYS as readonly string[]).includes(key)),
  ...COMMON_DRIVER_PARAMETERS,
]);
const KNOWN_SECTION_KEYS: readonly string[] = [...UPS_CONF_SECTION_KEYS, ...COMMON_DRIVER_PARAMETERS];

function checkUpsValue(setting: UpsConfSetting, emit: Emit): void {
  const { key, value, line } = setting;
  const rule = UPS_CONF_VALUE_RULES[key];
  if (rule === undefined || setting.hidden) return;
  if (setting.isFlag || value === undefined) {
    if (rule !== 'flag') emit(line, 'error', `\`${key}\` needs a value: write \`${key} = value\``);
    return;
  }
  switch (rule) {
    case 'positiveNumber':
      if (!isWholeNumber(value) || Number(value) < 1) emit(line, 'error', `\`${key}\` must be a whole number of at least 1, not \`${value}\`: NUT rejects it`);
      return;
    case 'wholeNumber':
      if (!isWholeNumber(value)) emit(line, 'error', `\`${key}\` must be a whole number (0 or more), not \`${value}\`: NUT rejects or misreads it`);
      return;
    case 'integer':
      if (!isInteger(value)) emit(line, 'error', `\`${key}\` must be a whole number (negative means never), not \`${value}\``);
      return;
    case 'synchronous':
      if (!['yes', 'no', 'auto'].includes(value)) emit(line, 'error', `\`synchronous\` must be \`yes\`, \`no\` or \`auto\`, not \`${value}\`: NUT treats anything else as \`no\``);
      return;
    case 'text':
      if (value === '' && (key === 'driver' || key === 'port')) emit(line, 'error', `\`${key}\` is empty: write the ${key === 'driver' ? 'driver name' : 'device port (or `auto`)'} after \`=\``);
      return;
    case 'flag':
      return;
  }
}

function checkUpsGlobal(setting: UpsConfSetting, emit: Emit): void {
  const { key, line } = setting;
  if ((UPS_CONF_GLOBAL_KEYS as readonly string[]).includes(key)) return checkUpsValue(setting, emit);
  if (SECTION_ONLY_KEYS.has(key) || key.startsWith('override.') || key.startsWith('default.')) {
    emit(line, key === 'driver' || key === 'port' ? 'error' : 'warning',
      `\`${key}\` belongs to a UPS but comes before any \`[upsname]\` section, so NUT ignores it: move it under its UPS's header`);
    return;
  }
  emit(line, 'warning', `unknown global setting \`${key}\`: NUT ignores it.${suggestion(key, UPS_CONF_GLOBAL_KEYS, true)}`);
}

function checkUpsSectionSetting(sectionName: string, setting: UpsConfSetting, driver: string | undefined, emit: Emit): void {
  const { key, line } = setting;
  for (const prefix of ['override.', 'default.']) {
    if (!key.startsWith(prefix)) continue;
    if (key === prefix) emit(line, 'error', `\`${prefix}\` needs a variable name, e.g. \`${prefix}battery.charge.low = 30\``);
    else if (setting.isFlag) emit(line, 'error', `\`${key}\` needs a value: write \`${key} = value\``);
    return;
  }
  if (key === 'sddelay') {
    emit(line, 'warning', '`sddelay` is obsolete and NUT ignores it: set `offdelay` (for drivers that support it) instead');
    return;
  }
  if (!KNOWN_SECTION_KEYS.includes(key)) {
    const driverHint = driver === undefined ? 'its driver' : `\`${driver}\``;
    emit(line, 'warning', `\`${key}\` in \`[${sectionName}]\` is neither a ups.conf setting nor a parameter of a common driver.` +
      `${suggestion(key, KNOWN_SECTION_KEYS, true)} A driver refuses to start on a parameter it does not know: ` +
      `check the man page of ${driverHint}.`);
    return;
  }
  checkUpsValue(setting, emit);
}

const UPS_NAME = /^[A-Za-z0-9_.-]+$/;

export function validateUpsConf(parse: UpsConfParse, file = 'ups.conf'): NutConfFinding[] {
  const { findings, emit } = collector(file);
  findings.push(...fromIssues(file, parse.issues));
  const { config } = parse;
  for (const setting of config.globals) checkUpsGlobal(setting, emit);
  const seen = new Map<string, number>();
  for (const section of config.sections) {
    const previous = seen.get(section.name.toLowerCase());
    if (previous !== undefined) {
      emit(section.line, 'error', `UPS \`${section.name}\` is already defined at line ${previous}: NUT mixes the settings of both sections; rename or merge them`);
    } else {
      seen.set(section.name.toLowerCase(), section.line);
    }
    if (section.name !== '' && !UPS_NAME.test(section.name)) {
      emit(section.line, 'warning', `UPS name \`${section.name}\` has characters other than letters, digits, \`_\`, \`-\` and \`.\`: clients address it as \`name@host:port\`, so rename it`);
    }
    if (section.driver === undefined && !section.settings.some((s) => s.key === 'driver')) {
      emit(section.line, 'error', `UPS \`${section.name}\` has no \`driver\`: add e.g. \`driver = usbhid-ups\` (upsd ignores a UPS without one)`);
    }
    if (section.port === undefined && !section.settings.some((s) => s.key === 'port')) {
      emit(section.line, 'error', `UPS \`${section.name}\` has no \`port\`: add e.g. \`port = auto\` for USB (upsd ignores a UPS without one)`);
    }
    const firstLineOfKey = new Map<string, number>();
    for (const setting of section.settings) {
      checkUpsSectionSetting(section.name, setting, section.driver, emit);
      const first = firstLineOfKey.get(setting.key);
      if (first === undefined) firstLineOfKey.set(setting.key, setting.line);
      else emit(setting.line, 'warning', `\`${setting.key}\` is set again in \`[${section.name}]\` (first at line ${first}): NUT uses this later value; remove one of them`);
    }
  }
  return inLineOrder(findings);
}
