/**
 * Imported hosts as rules: each becomes a target with its secrets named by
 * secretRef (never given), and a Targets file whose comments say which
 * `walnut secrets set` each target still needs.
 */
import { dump } from 'js-yaml';
import { API_VERSION, type SecretRef, type Target } from '../../policy/spec';
import { secretRefFor } from './hosts';
import type { ImportedHost } from './types';

/** The account the README's examples use: allowed `sudo -n shutdown` on the host. */
export const DEFAULT_SSH_USER = 'walnut';

const SECRET_HINTS: Record<string, string> = {
  key: 'the SSH private key',
  token: 'the API token `user@realm!id=secret`',
  credentials: 'the account',
};

/** The target for `host` under `name`, and what the user should check about it. */
export function toTarget(host: ImportedHost, name: string): { target: Target; notes: string[] } {
  const notes: string[] = [];
  const ref = (): SecretRef => ({ secretRef: secretRefFor(host.type, name)! });
  const described = host.description === undefined ? {} : { description: host.description };
  switch (host.type) {
    case 'ssh': {
      if (host.user === undefined) notes.push(`no user given: using \`${DEFAULT_SSH_USER}\` (an account allowed \`sudo -n shutdown\`)`);
      const port = host.port === undefined ? {} : { port: host.port };
      return { target: { type: 'ssh', ...described, host: host.host, ...port, user: host.user ?? DEFAULT_SSH_USER, key: ref() }, notes };
    }
    case 'proxmox': {
      const node = host.node ?? guessNode(host);
      if (host.node === undefined) notes.push(`no node given: using \`${node}\` (set walnut_node or node if the cluster names it otherwise)`);
      const address = host.host.includes(':') && !host.host.startsWith('[') ? `[${host.host}]` : host.host;
      return { target: { type: 'proxmox', ...described, url: `https://${address}:${host.port ?? 8006}`, token: ref(), node }, notes };
    }
    case 'tapo':
      return { target: { type: 'tapo', ...described, host: host.host, credentials: ref() }, notes };
    case 'shelly': {
      const channel = host.channel === undefined ? {} : { channel: host.channel };
      return { target: { type: 'shelly', ...described, host: host.host, ...channel }, notes };
    }
    case 'wol': {
      const port = host.port === undefined ? {} : { port: host.port };
      return { target: { type: 'wol', ...described, mac: host.mac!, address: host.host, ...port }, notes };
    }
  }
}

/** A Proxmox node is usually named as its host: the first label of a host name, else the target's name. */
function guessNode(host: ImportedHost): string {
  const isAddress = /^[\d.]+$/.test(host.host) || host.host.includes(':');
  return (isAddress ? host.name : host.host.split('.')[0]!).replace(/_/g, '-');
}

/** The whole file: a header, then one Targets document with a comment above each target that needs a secret. */
export function renderTargetsFile(targets: Readonly<Record<string, Target>>, source: string): string {
  const lines = [
    '# yaml-language-server: $schema=schema/rules.schema.json',
    `# Written by \`walnut import\` from ${source}.`,
    '# A later import of the same source merges into this file and rewrites it: keep hand edits elsewhere.',
    '# Secrets are never imported: store each one named below with `walnut secrets set NAME`.',
    `apiVersion: ${API_VERSION}`,
    'kind: Targets',
  ];
  const entries = Object.entries(targets);
  if (entries.length === 0) return [...lines, 'targets: {}', ''].join('\n');
  lines.push('targets:');
  for (const [name, target] of entries) {
    for (const [field, value] of Object.entries(target)) {
      if (isSecretRef(value)) lines.push(`  # ${field}: ${SECRET_HINTS[field] ?? 'the secret'}, stored with \`walnut secrets set ${value.secretRef}\``);
    }
    const body = dump({ [name]: target }, { flowLevel: 2, lineWidth: -1 });
    lines.push(...body.trimEnd().split('\n').map((line) => `  ${line}`));
  }
  return `${lines.join('\n')}\n`;
}

/** The source a previous import recorded in its header, to keep it when the file is rewritten. */
export function recordedSource(text: string): string | undefined {
  return /^# Written by `walnut import` from (.+)\.$/m.exec(text)?.[1];
}

const isSecretRef = (value: unknown): value is SecretRef =>
  typeof value === 'object' && value !== null && typeof (value as { secretRef?: unknown }).secretRef === 'string';
