import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseUpsConf } from '../../../../src/nut/conf/ups-conf';

const fixture = (...parts: string[]): string => fs.readFileSync(path.join(__dirname, '../../../fixtures/nut-conf', ...parts), 'utf8');

describe('ups.conf parser', () => {
  it('reads globals and two UPS sections with their lines, overrides and defaults', () => {
    const { config, issues, secrets } = parseUpsConf(fixture('good', 'ups.conf'));
    assert.deepEqual(issues, []);
    assert.deepEqual(config.globals.map((s) => [s.key, s.value, s.line]), [['maxretry', '3', 2], ['retrydelay', '5', 3], ['pollinterval', '2', 4]]);
    assert.deepEqual(config.sections.map((s) => [s.name, s.line, s.driver, s.port]), [
      ['rack', 6, 'usbhid-ups', 'auto'],
      ['office', 17, 'snmp-ups', '192.168.10.20'],
    ]);
    const [rack, office] = config.sections;
    assert.equal(rack?.desc, 'Rack UPS "A" #1');
    assert.equal(rack?.sdorder, '1');
    assert.deepEqual(rack?.overrides, { 'battery.charge.low': '30', 'battery.runtime.low': '300' });
    assert.deepEqual(rack?.settings.find((s) => s.key === 'ignorelb'), { key: 'ignorelb', isFlag: true, hidden: false, line: 14, column: 2 });
    assert.equal(office?.desc, 'Office UPS, network card', 'a backslash inside quotes joins the next line');
    assert.deepEqual(office?.defaults, { 'battery.charge.warning': '50' });
    assert.equal(office?.settings.find((s) => s.key === 'mibs')?.line, 27, 'lines count past the continued desc');
    assert.deepEqual(secrets.sort(), ['snmp auth pass', 'snmp#priv']);
  });

  it('keeps password-like values out of the structure', () => {
    const { config, secrets } = parseUpsConf('[x]\ndriver = snmp-ups\nport = h\nprivPassword = "p w"\ncommunity = hush\n');
    const hidden = config.sections[0]?.settings.filter((s) => s.hidden) ?? [];
    assert.deepEqual(hidden.map((s) => [s.key, s.value]), [['privPassword', undefined], ['community', undefined]]);
    assert.deepEqual(secrets, ['p w', 'hush']);
    assert.equal(JSON.stringify(config).includes('hush'), false);
  });

  it('reports lines NUT ignores: no =, no value, and words after the value', () => {
    const { config, issues } = parseUpsConf('[rack]\n\tdriver usbhid-ups\n\tdesc =\n\tport = auto extra words\n');
    assert.equal(config.sections[0]?.driver, undefined);
    assert.equal(config.sections[0]?.port, 'auto');
    assert.deepEqual(issues.map((i) => [i.line, i.severity]), [[2, 'error'], [3, 'error'], [4, 'warning']]);
    assert.match(issues[0]?.message ?? '', /`driver` needs `=`.*write `driver = value`/);
    assert.match(issues[1]?.message ?? '', /`desc =` has no value/);
    assert.match(issues[2]?.message ?? '', /ignores the 2 word\(s\).*quotes/);
  });

  it('passes tokenizer issues through', () => {
    const { issues } = parseUpsConf('[rack]\ndesc = "Rack #1"\n');
    assert.deepEqual(issues.map((i) => [i.line, i.severity]), [[2, 'error']]);
  });
});
