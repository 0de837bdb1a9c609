/**
 * Who a UPS is, the way Home Assistant's NUT integration decides it
 * (nut/__init__.py): manufacturer + model + serial, fake serials ("unknown",
 * "blank", all zeros) filtered. A UPS without a real serial is known by its
 * name on its upsd server, which is stable as long as the configuration is.
 */
import { slug } from '../topics';

const FAKE_SERIALS = ['unknown', 'blank'];

export interface UpsIdentity {
  /** Topic level and unique-id part. */
  key: string;
  name: string;
  manufacturer?: string;
  model?: string;
  serial?: string;
  firmware?: string;
}

export function realSerial(vars: Readonly<Record<string, string>>): string | undefined {
  const serial = (vars['device.serial'] ?? vars['ups.serial'])?.trim();
  if (!serial || FAKE_SERIALS.includes(serial.toLowerCase()) || /^0+$/.test(serial)) return undefined;
  return serial;
}

export function upsIdentity(server: string, ups: string, vars: Readonly<Record<string, string>>): UpsIdentity {
  const manufacturer = (vars['device.mfr'] ?? vars['ups.mfr'])?.trim() || undefined;
  const model = (vars['device.model'] ?? vars['ups.model'])?.trim() || undefined;
  const firmware = (vars['ups.firmware'] ?? vars['ups.firmware.aux'])?.trim() || undefined;
  const serial = realSerial(vars);
  const key = serial === undefined
    ? slug(`${ups}_${server}`)
    : slug([manufacturer, model, serial].filter((part) => part !== undefined).join('_'));
  return {
    key,
    name: ups,
    ...(manufacturer ? { manufacturer } : {}),
    ...(model ? { model } : {}),
    ...(serial ? { serial } : {}),
    ...(firmware ? { firmware } : {}),
  };
}
