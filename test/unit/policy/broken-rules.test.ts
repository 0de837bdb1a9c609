import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { formatProblem } from '../../../src/policy/problems';
import { validateRules } from '../../../src/policy/validate';

const FIXTURES = 'test/fixtures/rules';
const BASE_TARGETS = path.join(FIXTURES, 'base/targets.yaml');

/**
 * One broken file per schema keyword and per semantic check, each checked with
 * the shared base targets, each with the one error it must produce at its place.
 * `secret` is a value planted in the file that no message may repeat.
 */
const BROKEN: Array<{ fixture: string; expected: string; secret?: string }> = [
  { fixture: 'action-op-missing', expected: '11:9: missing required key `op` in `actions[0]`' },
  { fixture: 'action-op-unknown', expected: '11:28: `op` must be one of: shutdown, stop, off, on, wake, start, poweroff' },
  { fixture: 'action-unknown-key', expected: '11:11: unknown key `targte` in `actions[0]` (did you mean `target`?)' },
  { fixture: 'alpha-bad-op-after-migration', expected: '11:28: `op` must be one of: shutdown, stop, off, on, wake, start, poweroff' },
  { fixture: 'apiversion-missing', expected: '1:1: missing required key `apiVersion`' },
  { fixture: 'apiversion-not-text', expected: '1:13: `apiVersion` must be text' },
  { fixture: 'apiversion-unknown', expected: '1:13: apiVersion is not one this build reads (it reads walnut/v1, walnut/v1alpha1)' },
  { fixture: 'armed-not-boolean', expected: '12:8: `armed` must be true or false' },
  { fixture: 'cancel-for-not-duration', expected: '13:18: `for` must be a duration such as 90s, 5m or 1h30m' },
  { fixture: 'cancel-unknown-key', expected: '13:3: unknown key `offline` in `cancel_when` (did you mean `online`?)' },
  { fixture: 'dependency-cycle', expected: '7:5: depends_on goes round in a circle: a → b → a' },
  { fixture: 'depends-on-not-list', expected: '7:17: `depends_on` must be a list' },
  { fixture: 'description-too-long', expected: '12:14: `description` must be at most 1024 characters' },
  { fixture: 'document-not-mapping', expected: '1:1: a rules document must be a mapping with apiVersion and kind' },
  { fixture: 'duplicate-policy', expected: '15:7: policy `p` is already defined at test/fixtures/rules/broken/duplicate-policy.yaml:3:7' },
  { fixture: 'duplicate-target', expected: '4:3: target `nas` is already defined at test/fixtures/rules/base/targets.yaml:5:3' },
  { fixture: 'group-min-healthy-missing', expected: '4:8: missing required key `min_healthy` in `group`' },
  { fixture: 'group-min-healthy-zero', expected: '4:40: `min_healthy` must be >= 1' },
  { fixture: 'group-one-member', expected: '4:19: `members` must list at least 2 items' },
  { fixture: 'group-quorum-unreachable', expected: '4:40: min_healthy is 3 but the group has 2 members: it could never be met' },
  { fixture: 'kind-missing', expected: '1:1: missing required key `kind` (Targets or Policy)' },
  { fixture: 'kind-unknown', expected: '2:7: `kind` must be Targets or Policy' },
  { fixture: 'point-of-no-return-unknown', expected: '12:21: point_of_no_return names `s9`, which is not a stage of this policy' },
  { fixture: 'policy-name-missing', expected: '1:1: missing required key `name`' },
  { fixture: 'policy-name-pattern', expected: '3:7: `name` must be a name of lowercase letters, digits, - and _ (64 at most, starting with a letter or digit)' },
  { fixture: 'policy-no-ups-no-group', expected: '1:1: missing `ups` (the UPSes this policy watches) or `group` (a redundancy group)' },
  { fixture: 'policy-unknown-key', expected: '12:1: unknown key `dryrun` (did you mean `dry_run`?)' },
  { fixture: 'policy-ups-and-group', expected: '12:1: give either `ups` or `group`, not both' },
  { fixture: 'policy-with-targets-key', expected: '12:1: unknown key `targets`' },
  { fixture: 'power-cut-before-later-stage', expected: '11:31: `switch` is cut in stage `s1`, but `nas`, which depends on it, still has `shutdown` to do in stage `s2`' },
  { fixture: 'power-cut-in-parallel-stage', expected: '13:31: `switch` is cut in stage `s1`, but `nas`, which depends on it, still has `shutdown` to do in the same stage' },
  { fixture: 'proxmox-guest-id-low', expected: '9:21: `ids[0]` must be >= 100' },
  { fixture: 'proxmox-guests-two-keys', expected: '9:13: `guests` takes exactly one of `all: true`, `ids` or `tags`' },
  { fixture: 'proxmox-tls-fingerprint-invalid', expected: '9:22: `tls_fingerprint` must be a SHA-256 certificate fingerprint as 32 hex pairs separated by colons' },
  { fixture: 'proxmox-token-plaintext', expected: '7:5: `token` must be { secretRef: NAME }: a secret is never written in rules. Store it with `walnut secrets set NAME` and name it here', secret: 'secretsecret' },
  { fixture: 'proxmox-url-http', expected: '6:10: `url` must be an https:// URL' },
  { fixture: 'proxmox-url-invalid', expected: '6:10: `url` must be a valid URL' },
  { fixture: 'reserve-not-duration', expected: '12:10: `reserve` must be a duration such as 90s, 5m or 1h30m' },
  { fixture: 'restore-actions-and-inverse', expected: '13:3: give restore `actions` or `inverse: true`, not both' },
  { fixture: 'restore-charge-above-100', expected: '13:25: `charge_above` must be <= 100' },
  { fixture: 'restore-unsupported-op', expected: '14:27: a wol target cannot `on`; it can: wake' },
  { fixture: 'secretref-extra-key', expected: '7:5: `credentials` must be { secretRef: NAME }: a secret is never written in rules. Store it with `walnut secrets set NAME` and name it here', secret: 'hunter2-inline' },
  { fixture: 'self-not-boolean', expected: '9:11: `self` must be true or false' },
  { fixture: 'self-not-last-stage', expected: '11:19: `hub` is the hub\'s own host (self: true): it must go down in the last stage, `s2`' },
  { fixture: 'self-on-plug', expected: '8:5: `self: true` marks the hub\'s own host: an ssh or proxmox target, not tapo' },
  { fixture: 'self-twice', expected: '9:5: only one target can be the hub\'s own host; `hub` already is' },
  { fixture: 'shelly-channel-negative', expected: '7:14: `channel` must be >= 0' },
  { fixture: 'ssh-fingerprint-invalid', expected: '9:27: `host_key_fingerprint` must be an SSH host key fingerprint as ssh-keygen -lf prints it (SHA256:…)' },
  { fixture: 'ssh-key-plaintext', expected: '8:5: `key` must be { secretRef: NAME }: a secret is never written in rules. Store it with `walnut secrets set NAME` and name it here', secret: 'BEGIN OPENSSH' },
  { fixture: 'ssh-port-too-high', expected: '7:11: `port` must be <= 65535' },
  { fixture: 'ssh-user-missing', expected: '5:5: missing required key `user` in `web`' },
  { fixture: 'stage-actions-missing', expected: '9:5: missing required key `actions` in `stages[0]`' },
  { fixture: 'stage-after-not-duration', expected: '10:12: `after` must be a duration such as 90s, 5m or 1h30m' },
  { fixture: 'stage-on-timeout-unknown', expected: '10:17: `on_timeout` must be one of: continue, force, abort' },
  { fixture: 'stage-order', expected: '14:12: stage `s2` is planned before the stage above it; stages run in the order written' },
  { fixture: 'stage-parallel-not-boolean', expected: '10:15: `parallel` must be true or false' },
  { fixture: 'stage-timeout-empty', expected: '10:5: `timeout` has no value: give one or remove the key' },
  { fixture: 'stages-empty', expected: '8:9: `stages` must list at least 1 item' },
  { fixture: 'stages-missing', expected: '1:1: missing required key `stages`' },
  { fixture: 'tapo-password-plaintext', expected: '8:5: `password` must be { secretRef: NAME }: a secret is never written in rules. Store it with `walnut secrets set NAME` and name it here', secret: 'hunter2-tapo' },
  { fixture: 'target-name-pattern', expected: '4:3: name `Big_Box` must be a name of lowercase letters, digits, - and _ (64 at most, starting with a letter or digit)' },
  { fixture: 'target-not-mapping', expected: '4:8: `box` must be a mapping' },
  { fixture: 'target-type-missing', expected: '5:5: missing required key `type` in `box`' },
  { fixture: 'target-type-unknown', expected: '5:11: `type` must be one of: ssh, proxmox, tapo, shelly, wol, ups' },
  { fixture: 'targets-missing', expected: '1:1: missing required key `targets`' },
  { fixture: 'trigger-charge-above-100', expected: '7:29: `battery_charge_below` must be <= 100' },
  { fixture: 'trigger-depletion-zero', expected: '7:29: `depletion_rate_above` must be > 0' },
  { fixture: 'trigger-empty', expected: '7:7: a trigger holds exactly one condition, e.g. `- on_battery: { for: 2m }`' },
  { fixture: 'trigger-for-number', expected: '7:26: `for` must be a duration such as 90s, 5m or 1h30m' },
  { fixture: 'trigger-list-empty', expected: '6:8: `any` must list at least 1 item' },
  { fixture: 'trigger-low-battery-false', expected: '7:20: `low_battery` can only be true (leave it out otherwise)' },
  { fixture: 'trigger-runtime-not-duration', expected: '7:22: `runtime_below` must be a duration such as 90s, 5m or 1h30m' },
  { fixture: 'trigger-two-conditions', expected: '7:7: a trigger holds exactly one condition, e.g. `- on_battery: { for: 2m }`' },
  { fixture: 'trigger-unknown-condition', expected: '7:7: unknown key `on_batery` in `any[0]` (did you mean `on_battery`?)' },
  { fixture: 'triggers-empty', expected: '5:11: `triggers` needs `any` or `all`' },
  { fixture: 'triggers-unknown-key', expected: '6:3: unknown key `some` in `triggers`' },
  { fixture: 'unknown-action-target', expected: '11:19: no target named `nsa` (did you mean `nas`?)' },
  { fixture: 'unknown-dependency', expected: '7:18: `plug2` depends on `router`, which is not a target' },
  { fixture: 'unsupported-op', expected: '11:29: a tapo target cannot `shutdown`; it can: off, on' },
  { fixture: 'ups-duplicate', expected: '4:22: `ups` lists the same entry twice (items 1 and 2)' },
  { fixture: 'ups-empty', expected: '4:6: `ups` must list at least 1 item' },
  { fixture: 'ups-method-unknown', expected: '7:13: `method` must be one of: shutdown.return, fsd' },
  { fixture: 'ups-name-pattern', expected: '4:7: `ups[0]` must be a UPS written upsname or upsname@host[:port]' },
  { fixture: 'ups-not-list', expected: '4:6: `ups` must be a list' },
  { fixture: 'ups-poweroff-not-last', expected: '11:19: `rack` powers off the UPS: that belongs in the last stage, `s2`' },
  { fixture: 'watts-negative', expected: '7:12: `watts` must be >= 0' },
  { fixture: 'wol-mac-invalid', expected: '6:10: `mac` must be a MAC address such as 00:11:22:33:44:55' },
  { fixture: 'yaml-duplicate-key', expected: '4:1: YAML syntax: duplicated mapping key' },
  { fixture: 'yaml-indentation', expected: '5:2: YAML syntax: bad indentation of a mapping entry' },
  { fixture: 'yaml-unclosed-flow', expected: '5:1: YAML syntax: deficient indentation' },
];

describe('rules: broken fixtures, one located error each', () => {
  for (const { fixture, expected, secret } of BROKEN) {
    it(fixture, async () => {
      const file = path.join(FIXTURES, 'broken', `${fixture}.yaml`);
      const report = await validateRules([BASE_TARGETS, file]);
      const errors = report.problems.filter((problem) => problem.severity === 'error');
      assert.deepEqual(errors.map(formatProblem), [`${file}:${expected}`]);
      if (secret !== undefined) {
        for (const problem of report.problems) assert.ok(!problem.message.includes(secret), `a message repeats the secret: ${problem.message}`);
      }
    });
  }

  it('covers 60 or more broken files', () => {
    assert.ok(BROKEN.length >= 60, `only ${BROKEN.length}`);
  });
});
