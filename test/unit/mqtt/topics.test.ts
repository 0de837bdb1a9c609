import { strict as assert } from 'node:assert';
import { slug, Topics } from '../../../src/mqtt/topics';

describe('MQTT topics', () => {
  const topics = new Topics('walnut', 'cabin.2', 'homeassistant');

  it('lays out states, commands and discovery under the site', () => {
    assert.equal(topics.hubStatus, 'walnut/cabin_2/status');
    assert.equal(topics.upsState('apc_1'), 'walnut/cabin_2/ups/apc_1/state');
    assert.equal(topics.policyCommand('homelab', 'armed'), 'walnut/cabin_2/policy/homelab/armed/set');
    assert.equal(topics.config('sensor', 'x_y'), 'homeassistant/sensor/walnut_cabin_2/x_y/config');
  });

  it('parses only the commands it publishes', () => {
    assert.deepEqual(topics.parseCommand('walnut/cabin_2/policy/homelab/dry_run/set'), { kind: 'policy', name: 'homelab', control: 'dry_run' });
    assert.deepEqual(topics.parseCommand('walnut/cabin_2/ups/apc_1/command/set'), { kind: 'ups', key: 'apc_1' });
    for (const other of [
      'walnut/cabin_2/policy/homelab/state', 'walnut/cabin_2/policy/homelab/delete/set', 'walnut/cabin_2/ups/apc_1/command/set/more',
      'walnut/other/policy/homelab/armed/set', 'walnut/cabin_2/target/nas/armed/set', 'walnut/cabin_2/policy//armed/set',
    ]) assert.equal(topics.parseCommand(other), undefined, other);
  });

  it('lets clients publish only commands and the birth message', () => {
    assert.ok(topics.mayClientPublish('homeassistant/status'));
    assert.ok(topics.mayClientPublish('walnut/cabin_2/policy/homelab/simulate/set'));
    assert.ok(!topics.mayClientPublish('walnut/cabin_2/status'));
    assert.ok(!topics.mayClientPublish('homeassistant/sensor/walnut_cabin_2/x/config'));
    assert.ok(!topics.mayClientPublish('walnut/cabin_2/ups/apc_1/state'));
  });

  it('keeps wildcards and separators out of topic levels', () => {
    assert.equal(slug('ups/1+#x y'), 'ups_1_x_y');
  });
});
