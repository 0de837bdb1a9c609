import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { parseAnsibleIni } from '../../../src/archive/importers/ansible-ini';
import { parseAnsibleYaml } from '../../../src/archive/importers/ansible-yaml';
import { detectFormat } from '../../../src/archive/importers/detect';
import { isSecretField, normaliseName } from '../../../src/archive/importers/hosts';
import { parseJsonInventory } from '../../../src/archive/importers/json-inventory';
import { freeName, planImport } from '../../../src/archive/importers/plan';
import { renderTargetsFile, toTarget } from '../../../src/archive/importers/render';
import type { ImportedHost, ParseResult } from '../../../src/archive/importers/types';
import { UsageError } from '../../../src/errors';
import { buildRuleSet } from '../../../src/policy/rule-set';
import { readRulesFile } from '../../../src/policy/rules-file';

const SECRET = 'Hunter2-never-imported';

const JSON_INVENTORY = JSON.stringify({
  hosts: [
    { name: 'NAS.lan', host: '192.168.1.10', user: 'admin', port: 2222, password: SECRET },
    { name: 'pve', type: 'proxmox', host: 'pve.lan', token: SECRET, node: 'pve' },
    { name: 'plug', type: 'shelly', address: '192.168.1.40', channel: 1, rack: 'a' },
    { name: 'wake', type: 'wol', host: '192.168.1.255', mac: '00:11:32:aa:bb:cc' },
    { name: 'tv', type: 'toaster', host: 'tv.lan' },
    { name: '!!!', host: '10.0.0.9' },
    { name: 'nohost' },
    'not an object',
  ],
});

const INI_INVENTORY = `# the lab
bastion.example.com:2200 ansible_user=ops

[web]
Web01 ansible_host=10.0.0.5 ansible_password="${SECRET}"
web[02:03] ansible_host=10.0.0.7

[web:vars]
ansible_user=deploy
ansible_port=2222

[walnut_proxmox]
pve1 ansible_host=10.0.0.2 ansible_port=22 walnut_node=pve1

[plugs]
plug1 ansible_host=10.0.0.40 walnut_type=tapo

[lab:children]
web

[lab:unknown]
not-a-host

[lab:vars]
ansible_user=labuser
ansible_become_pass=${SECRET}
`;

const YAML_INVENTORY = `all:
  vars:
    ansible_user: root
  hosts:
    Gateway_1:
      ansible_host: 10.0.0.1
  children:
    walnut_proxmox:
      hosts:
        pve2:
          ansible_host: pve2.example.com
    storage:
      vars:
        ansible_user: storage
      children:
        nas:
          hosts:
            nas1:
              ansible_host: 10.0.0.20
              ansible_ssh_private_key_file: ~/.ssh/nas
            nas2:
              ansible_port: 2022
`;

const byName = (result: ParseResult, name: string): ImportedHost => {
  const host = result.hosts.find((candidate) => candidate.name === name);
  assert.ok(host, `no host ${name} in ${result.hosts.map((h) => h.name).join(', ')}`);
  return host;
};

const noSecretIn = (result: ParseResult): void => {
  assert.equal(JSON.stringify(result).includes(SECRET), false, 'a secret value leaked into the result');
};

const HAND_WRITTEN = fs.readFileSync('rules/targets.yaml', 'utf8');

function importedFile(names: string[]): string {
  const targets = Object.fromEntries(names.map((name) => [name, { type: 'shelly' as const, host: '10.0.0.99' }]));
  return renderTargetsFile(targets, 'old.json');
}

function host(name: string): ImportedHost {
  return { name, type: 'ssh', host: `${name}.lan`, origin: 'test' };
}

describe('importers: names and secrets', () => {
  it('normalises names to the rules pattern, and gives up on what cannot be made valid', () => {
    assert.equal(normaliseName('Web01.Example.COM'), 'web01-example-com');
    assert.equal(normaliseName('__db  server__'), 'db-server__');
    assert.equal(normaliseName('already-ok_1'), 'already-ok_1');
    assert.equal(normaliseName('!!!'), undefined);
    assert.equal(normaliseName('x'.repeat(65)), undefined);
  });

  it('recognises secret fields by their words', () => {
    for (const field of ['password', 'ansible_password', 'ansible_ssh_pass', 'ansible_become_pass', 'token', 'apiToken', 'ansible_ssh_private_key_file', 'privateKey', 'credentials', 'secret'])
      assert.equal(isSecretField(field), true, field);
    for (const field of ['host', 'user', 'ansible_host', 'ansible_port', 'passenger', 'keyboard', 'ansible_host_key_checking'])
      assert.equal(isSecretField(field), false, field);
  });
});

describe('importers: detection', () => {
  it('tells the four formats apart by content', () => {
    assert.equal(detectFormat(Buffer.concat([Buffer.from('WNUTARC1'), Buffer.alloc(16)]), 'backup.bin'), 'archive');
    assert.equal(detectFormat(Buffer.from(JSON_INVENTORY), 'hosts.txt'), 'json-inventory');
    assert.equal(detectFormat(Buffer.from(INI_INVENTORY), 'hosts'), 'ansible-ini');
    assert.equal(detectFormat(Buffer.from(YAML_INVENTORY), 'inventory.yml'), 'ansible-yaml');
    assert.equal(detectFormat(Buffer.from('[web]\nweb1\nweb2\n'), 'hosts'), 'ansible-ini');
    assert.equal(detectFormat(Buffer.from('{"all": {"hosts": {"a": {}}}}'), 'inv.json'), 'ansible-yaml', 'JSON in the Ansible shape');
  });

  it('refuses anything else with a UsageError naming the known formats', () => {
    for (const text of ['just some words\nand more', '{"items": []}', 'key: value\n', '']) {
      assert.throws(() => detectFormat(Buffer.from(text), 'notes.txt'), (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, /notes\.txt: not a format walnut import knows/);
        assert.match(error.message, /archive.*JSON inventory.*Ansible INI.*Ansible YAML/);
        return true;
      });
    }
  });
});

describe('importers: JSON inventory', () => {
  const result = parseJsonInventory(JSON_INVENTORY, 'inventory.json');

  it('reads each entry with its type (ssh by default), normalising names', () => {
    assert.deepEqual(result.hosts.map((h) => [h.name, h.type]), [['nas-lan', 'ssh'], ['pve', 'proxmox'], ['plug', 'shelly'], ['wake', 'wol']]);
    assert.deepEqual(byName(result, 'nas-lan'), { name: 'nas-lan', type: 'ssh', host: '192.168.1.10', port: 2222, user: 'admin', origin: 'inventory.json hosts[0]' });
    assert.equal(byName(result, 'plug').host, '192.168.1.40');
    assert.equal(byName(result, 'plug').channel, 1);
    assert.equal(byName(result, 'wake').mac, '00:11:32:aa:bb:cc');
    assert.ok(result.notes.some((note) => note.entry === 'NAS.lan' && /named `nas-lan`/.test(note.message)));
  });

  it('ignores secrets with a warning pointing at walnut secrets set and secretRef', () => {
    noSecretIn(result);
    const password = result.notes.find((note) => note.entry === 'NAS.lan' && /`password`/.test(note.message));
    assert.equal(password?.severity, 'warning');
    assert.match(password.message, /walnut secrets set ssh\/nas-lan/);
    assert.match(password.message, /secretRef/);
    assert.match(result.notes.find((note) => note.entry === 'pve' && /`token`/.test(note.message))!.message, /walnut secrets set proxmox\/pve/);
  });

  it('reports every entry it cannot import, and unknown fields', () => {
    const errors = new Map(result.notes.filter((note) => note.severity === 'error').map((note) => [note.entry, note.message]));
    assert.deepEqual([...errors.keys()].sort(), ['!!!', 'hosts[7]', 'nohost', 'tv']);
    assert.match(errors.get('tv')!, /type `toaster` is not one of ssh, proxmox, shelly, tapo, wol/);
    assert.match(errors.get('!!!')!, /cannot be made a target name/);
    assert.match(errors.get('nohost')!, /no host/);
    assert.match(errors.get('hosts[7]')!, /must be an object/);
    assert.ok(result.notes.some((note) => note.severity === 'warning' && /unknown field `rack`/.test(note.message)));
  });

  it('reports two entries that normalise to one name', () => {
    const clash = parseJsonInventory(JSON.stringify({ hosts: [{ name: 'Web', host: 'a' }, { name: 'web', host: 'b' }] }), 'x.json');
    assert.deepEqual(clash.hosts.map((h) => h.host), ['a']);
    assert.match(clash.notes.find((note) => note.severity === 'error')!.message, /becomes `web`, as the entry at x\.json hosts\[0\] does/);
  });
});

describe('importers: Ansible INI', () => {
  const result = parseAnsibleIni(INI_INVENTORY, 'hosts');

  it('reads sections, ranges, host:port and vars with Ansible precedence', () => {
    assert.deepEqual(result.hosts.map((h) => h.name), ['bastion-example-com', 'web01', 'web02', 'web03', 'pve1', 'plug1']);
    assert.deepEqual(byName(result, 'bastion-example-com'), { name: 'bastion-example-com', type: 'ssh', host: 'bastion.example.com', port: 2200, user: 'ops', origin: 'hosts:2' });
    // web:vars (the child group) wins over lab:vars (its parent).
    assert.deepEqual(byName(result, 'web01'), { name: 'web01', type: 'ssh', host: '10.0.0.5', port: 2222, user: 'deploy', origin: 'hosts:5' });
    assert.equal(byName(result, 'web03').host, '10.0.0.7');
    assert.ok(result.notes.some((note) => note.entry === '[lab:unknown]' && /ignored this section/.test(note.message)));
  });

  it('takes the type from the walnut_<type> group or walnut_type; ansible_port stays the SSH port', () => {
    const pve = byName(result, 'pve1');
    assert.equal(pve.type, 'proxmox');
    assert.equal(pve.port, undefined);
    assert.equal(pve.node, 'pve1');
    assert.equal(byName(result, 'plug1').type, 'tapo');
  });

  it('ignores passwords, with a warning per host', () => {
    noSecretIn(result);
    const warnings = result.notes.filter((note) => /never imports secrets/.test(note.message));
    assert.ok(warnings.some((note) => note.entry === 'Web01' && /`ansible_password`.*walnut secrets set ssh\/web01/.test(note.message)));
    assert.ok(warnings.some((note) => note.entry === 'web02' && /`ansible_become_pass`/.test(note.message)), 'group vars too');
    assert.equal(warnings.some((note) => note.entry === 'pve1'), false, 'lab vars do not reach pve1');
  });
});

describe('importers: Ansible YAML', () => {
  const result = parseAnsibleYaml(YAML_INVENTORY, 'inventory.yml');

  it('walks nested children, with child group vars over parent ones', () => {
    assert.deepEqual(result.hosts.map((h) => [h.name, h.type]), [['gateway_1', 'ssh'], ['pve2', 'proxmox'], ['nas1', 'ssh'], ['nas2', 'ssh']]);
    assert.equal(byName(result, 'gateway_1').user, 'root');
    assert.equal(byName(result, 'nas1').user, 'storage');
    assert.equal(byName(result, 'nas2').host, 'nas2', 'no ansible_host: the inventory name is the address');
    assert.equal(byName(result, 'nas2').port, 2022);
    assert.equal(byName(result, 'pve2').host, 'pve2.example.com');
  });

  it('ignores the key file with a warning', () => {
    const warning = result.notes.find((note) => note.entry === 'nas1' && /ansible_ssh_private_key_file/.test(note.message));
    assert.match(warning!.message, /walnut secrets set ssh\/nas1/);
    assert.equal(JSON.stringify(result.hosts).includes('.ssh/nas'), false);
  });

  it('refuses YAML that is not an inventory', () => {
    assert.throws(() => parseAnsibleYaml('web:\n  hosts: {}\n', 'x.yml'), /starts with `all:`/);
  });
});

describe('importers: targets and file text', () => {
  it('makes targets that name their secrets, and a file the rules loader accepts', () => {
    const hosts: ImportedHost[] = [
      { name: 'web', type: 'ssh', host: '10.0.0.5', origin: 't' },
      { name: 'pve', type: 'proxmox', host: '10.0.0.2', origin: 't' },
      { name: 'plug', type: 'tapo', host: '10.0.0.40', origin: 't' },
      { name: 'relay', type: 'shelly', host: '10.0.0.41', channel: 2, origin: 't' },
      { name: 'wake', type: 'wol', host: '10.0.0.255', mac: '00:11:32:aa:bb:cc', origin: 't' },
    ];
    const converted = hosts.map((h) => toTarget(h, h.name));
    assert.deepEqual(converted[0], {
      target: { type: 'ssh', host: '10.0.0.5', user: 'walnut', key: { secretRef: 'ssh/web' } },
      notes: ['no user given: using `walnut` (an account allowed `sudo -n shutdown`)'],
    });
    assert.deepEqual(converted[1]!.target, { type: 'proxmox', url: 'https://10.0.0.2:8006', token: { secretRef: 'proxmox/pve' }, node: 'pve' });
    const text = renderTargetsFile(Object.fromEntries(hosts.map((h, index) => [h.name, converted[index]!.target])), 'inventory.json');
    assert.match(text, /^ {2}# key: the SSH private key, stored with `walnut secrets set ssh\/web`\n {2}web:\n/m);
    assert.match(text, /key: \{secretRef: ssh\/web\}/);
    const read = readRulesFile('imported-inventory.yaml', text);
    assert.deepEqual(read.problems, []);
    assert.deepEqual(Object.keys(read.targets[0]!.document.targets), ['web', 'pve', 'plug', 'relay', 'wake']);
  });
});

describe('importers: plan', () => {
  const ruleSet = buildRuleSet([
    readRulesFile('rules/targets.yaml', HAND_WRITTEN),
    readRulesFile('rules/imported-old.yaml', importedFile(['web', 'web-2', 'db'])),
  ]).ruleSet;
  const hosts = [host('new'), host('web'), host('db'), host('nas')];
  const rows = (mode: 'skip' | 'overwrite' | 'rename') => planImport(hosts, ruleSet, mode).map((entry) => [entry.name, entry.action]);

  it('skip: adds new names, leaves existing ones', () => {
    assert.deepEqual(rows('skip'), [['new', 'add'], ['web', 'skip'], ['db', 'skip'], ['nas', 'skip']]);
    assert.match(planImport(hosts, ruleSet, 'skip')[3]!.reason, /already defined in targets\.yaml/);
  });

  it('overwrite: replaces imported definitions; a hand-written one is a conflict, skipped', () => {
    const plan = planImport(hosts, ruleSet, 'overwrite');
    assert.deepEqual(plan.map((entry) => [entry.name, entry.action]), [['new', 'add'], ['web', 'overwrite'], ['db', 'overwrite'], ['nas', 'skip']]);
    assert.equal(plan[1]!.existingFile, 'rules/imported-old.yaml');
    assert.equal(plan[3]!.conflict, true);
    assert.match(plan[3]!.reason, /conflict: defined in the hand-written targets\.yaml; edit it there by hand/);
  });

  it('rename: picks the first free -N, never a name another imported host holds', () => {
    assert.deepEqual(rows('rename'), [['new', 'add'], ['web-3', 'rename'], ['db-2', 'rename'], ['nas-2', 'rename']]);
    const clash = planImport([host('nas'), host('nas-2')], ruleSet, 'rename');
    assert.deepEqual(clash.map((entry) => entry.name), ['nas-3', 'nas-2']);
    assert.equal(freeName('x'.repeat(64), new Set()), `${'x'.repeat(62)}-2`);
  });
});
