/**
 * ups.conf: global settings, then one `[upsname]` section per UPS, read the way
 * NUT's common/upsconf.c does (`key = value`, `key=value`, lone flags; a line
 * NUT ignores is reported instead). Values stay strings here; validate.ts says
 * which are wrong. Values of password-like keys (snmp-ups `authPassword`, …)
 * are kept out of the structure and returned apart in `secrets`.
 */
import { type ConfIssue, readAssignment, tokenizeNutConf } from './tokenizer';

export interface UpsConfSetting {
  key: string;
  /** Undefined for a lone flag (`ignorelb`) and for a hidden secret. */
  value?: string;
  isFlag: boolean;
  /** The value is a password: see UpsConfParse.secrets. */
  hidden: boolean;
  line: number;
  column: number;
}

export interface UpsConfSection {
  name: string;
  line: number;
  settings: UpsConfSetting[];
  driver?: string;
  port?: string;
  desc?: string;
  sdorder?: string;
  /** `override.<var> = value`, keyed by <var>. */
  overrides: Record<string, string>;
  /** `default.<var> = value`, keyed by <var>. */
  defaults: Record<string, string>;
}

export interface UpsConf {
  /** Settings before the first section (maxretry, pollinterval, user…). */
  globals: UpsConfSetting[];
  sections: UpsConfSection[];
}

export interface UpsConfParse {
  config: UpsConf;
  issues: ConfIssue[];
  /** Values of the hidden settings, so messages can be scrubbed of them. */
  secrets: string[];
}

/** Settings upsdrvctl and the drivers read before the first section. */
export const UPS_CONF_GLOBAL_KEYS = [
  'chroot', 'driverpath', 'maxstartdelay', 'maxretry', 'retrydelay', 'nowait', 'pollinterval', 'synchronous',
  'user', 'group', 'debug_min', 'LIBUSB_DEBUG',
] as const;

/** Settings every driver (drivers/main.c) or upsdrvctl understands in a UPS section. */
export const UPS_CONF_SECTION_KEYS = [
  'driver', 'port', 'desc', 'sdorder', 'nolock', 'ignorelb', 'allow_killpower', 'maxstartdelay', 'synchronous',
  'pollinterval', 'user', 'group', 'debug_min', 'sdcommands', 'LIBUSB_DEBUG', 'sddelay',
] as const;

/** Parameters of widely used drivers; any other key is driver-specific at best. */
export const COMMON_DRIVER_PARAMETERS = [
  // usbhid-ups and other USB drivers
  'vendorid', 'productid', 'vendor', 'product', 'serial', 'bus', 'busport', 'device', 'allow_duplicates',
  'usb_set_altinterface', 'usb_config_index', 'usb_hid_rep_index', 'usb_hid_desc_index', 'usb_hid_ep_in', 'usb_hid_ep_out',
  'offdelay', 'ondelay', 'pollfreq', 'pollonly', 'interruptonly', 'interruptsize', 'subdriver', 'explore', 'maxreport',
  'lowbatt', 'onlinedischarge', 'onlinedischarge_calibration', 'disable_fix_report_desc', 'waitbeforereconnect',
  'langid_fix', 'noscanlangid',
  // nutdrv_qx and blazer_*
  'protocol', 'runtimecal', 'chargetime', 'idleload', 'cablepower', 'ignoresab', 'norating', 'novendor',
  'bypass_alarm', 'battery_alarm', 'beeper', 'pins_shutdown_mode', 'testtime', 'stayoff', 'max_polling_interval',
  // snmp-ups, netxml-ups, nut-ipmipsu
  'mibs', 'community', 'snmp_version', 'snmp_retries', 'snmp_timeout', 'notransferoids', 'secLevel', 'secName',
  'authPassword', 'privPassword', 'authProtocol', 'privProtocol', 'symmetrathreephase', 'semistaticfreq',
  'login', 'password', 'timeout', 'subscribe', 'shutdown_duration', 'shutdown_timer', 'fruid', 'sensorid', 'username', 'authtype',
  // serial drivers (apcsmart, genericups, bcmxcp, powercom, riello…)
  'cable', 'sdtype', 'ttymode', 'upstype', 'mfr', 'model', 'sdtime', 'baud_rate', 'type', 'manufacturer', 'modelname',
  'serialnumber', 'linevoltage', 'shutdown_delay', 'CP', 'OL', 'LB', 'SD', 'RB', 'BYPASS',
  // dummy-ups, clone, apc_modbus
  'mode', 'repeater', 'load.off', 'load.on', 'load.status', 'porttype', 'slaveid',
] as const;

/** Keys whose value is a credential (snmp-ups authPassword/privPassword, netxml-ups password…). */
export const isSecretUpsConfKey = (key: string): boolean => /pass(word|wd)?$|secret|community/i.test(key);

export function parseUpsConf(text: string): UpsConfParse {
  const tokens = tokenizeNutConf(text);
  const issues: ConfIssue[] = [...tokens.issues];
  const secrets: string[] = [];
  const config: UpsConf = { globals: [], sections: [] };
  let current: UpsConfSection | undefined;

  for (const statement of tokens.statements) {
    if (statement.kind === 'section') {
      current = { name: statement.name, line: statement.line, settings: [], overrides: {}, defaults: {} };
      config.sections.push(current);
      continue;
    }
    const assignment = readAssignment(statement.words);
    if (assignment === undefined) continue;
    const { line, column } = assignment;
    if (assignment.kind === 'malformed') {
      issues.push({
        line, column, severity: 'error',
        message: assignment.problem === 'missing-equals'
          ? `\`${assignment.key}\` needs \`=\` before its value (NUT ignores this line): write \`${assignment.key} = value\``
          : `\`${assignment.key} =\` has no value (NUT ignores this line): write the value after \`=\``,
      });
      continue;
    }
    const setting: UpsConfSetting = { key: assignment.key, isFlag: assignment.kind === 'flag', hidden: false, line, column };
    if (assignment.kind === 'assignment') {
      const [value, ...extra] = assignment.values;
      if (isSecretUpsConfKey(assignment.key)) {
        setting.hidden = true;
        if (value !== undefined && value !== '') secrets.push(value);
      } else {
        setting.value = value;
      }
      if (extra.length > 0) {
        issues.push({
          line, column, severity: 'warning',
          message: `\`${assignment.key}\` takes one value and NUT ignores the ${extra.length} word(s) after it: put the value in quotes if it contains spaces`,
        });
      }
    }
    if (current === undefined) config.globals.push(setting);
    else addSectionSetting(current, setting);
  }
  return { config, issues, secrets };
}

function addSectionSetting(section: UpsConfSection, setting: UpsConfSetting): void {
  section.settings.push(setting);
  const { key, value } = setting;
  if (value === undefined) return;
  if (key === 'driver') section.driver = value;
  else if (key === 'port') section.port = value;
  else if (key === 'desc') section.desc = value;
  else if (key === 'sdorder') section.sdorder = value;
  else if (key.startsWith('override.')) section.overrides[key.slice('override.'.length)] = value;
  else if (key.startsWith('default.')) section.defaults[key.slice('default.'.length)] = value;
}
