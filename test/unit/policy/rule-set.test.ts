import { strict as assert } from 'node:assert';
import { applyFileChange, buildRuleSet } from '../../../src/policy/rule-set';
import { readRulesFile } from '../../../src/policy/rules-file';

const targets = (name: string): string => `apiVersion: walnut/v1
kind: Targets
targets:
  ${name}:
    type: shelly
    host: 10.0.0.8
`;
const policy = (name: string, target: string): string => `apiVersion: walnut/v1
kind: Policy
name: ${name}
ups: [ups]
triggers: { any: [{ fsd: true }] }
stages: [{ name: s, actions: [{ target: ${target}, op: 'off' }] }]
`;

describe('rule set: which file versions run', () => {
  it('at start, a broken file and the files that need it are left out; the rest run', () => {
    const outcome = buildRuleSet([
      readRulesFile('a-targets.yaml', targets('plug').replace('10.0.0.8', 'not a host!')),
      readRulesFile('b-uses-plug.yaml', policy('uses-plug', 'plug')),
      readRulesFile('c-targets.yaml', targets('fan')),
      readRulesFile('d-uses-fan.yaml', policy('uses-fan', 'fan')),
    ]);
    assert.deepEqual([...outcome.ruleSet.policies.keys()], ['uses-fan']);
    assert.deepEqual([...outcome.rejected.keys()], ['a-targets.yaml', 'b-uses-plug.yaml']);
    assert.match(outcome.rejected.get('b-uses-plug.yaml')![0]!.message, /no target named `plug`/);
  });

  it('a change is all or nothing: a file valid alone but breaking the set keeps the running version', () => {
    const start = buildRuleSet([readRulesFile('t.yaml', targets('plug')), readRulesFile('p.yaml', policy('p', 'plug'))]).ruleSet;
    const refused = applyFileChange(start, 't.yaml', readRulesFile('t.yaml', targets('renamed')));
    assert.equal(refused.ruleSet, start);
    assert.equal(refused.rejected.get('t.yaml')![0]!.file, 'p.yaml');

    const removed = applyFileChange(start, 'p.yaml', undefined);
    assert.deepEqual([...removed.ruleSet.policies.keys()], []);
    assert.equal(removed.rejected.size, 0);
  });
});
