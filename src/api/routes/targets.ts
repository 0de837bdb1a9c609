/**
 * GET /targets: the targets of the loaded rules. Built field by field from an
 * allow-list, so a secret can never slip out: a target shows the *name* of the
 * secret it uses (`secretRef`), never a value, and the store is not read.
 */
import type { Router } from 'express';
import type { Target } from '../../policy/spec';
import type { ApiContext } from '../context';
import { checkQuery } from '../query';
import { noQuery } from '../query-schemas';

export interface TargetItem {
  name: string;
  type: Target['type'];
  description: string | null;
  /** Host, URL, broadcast address or `ups@host` the target is reached at. */
  address: string;
  watts: number | null;
  dependsOn: string[];
  self: boolean;
  secretRef: string | null;
  file: string;
}

function addressOf(target: Target): string {
  switch (target.type) {
    case 'ssh': return `${target.user}@${target.host}:${target.port ?? 22}`;
    case 'proxmox': return `${target.url} (node ${target.node})`;
    case 'tapo':
    case 'shelly': return target.host;
    case 'wol': return `${target.mac} via ${target.address}:${target.port ?? 9}`;
    case 'ups': return target.ups;
  }
}

function secretRefOf(target: Target): string | null {
  switch (target.type) {
    case 'ssh': return target.key.secretRef;
    case 'proxmox': return target.token.secretRef;
    case 'tapo':
    case 'ups': return target.credentials.secretRef;
    case 'shelly': return target.credentials?.secretRef ?? null;
    case 'wol': return null;
  }
}

export function targetRoutes(router: Router, context: ApiContext): void {
  router.get('/targets', (request, response) => {
    checkQuery(noQuery, request.query);
    const items: TargetItem[] = [...context.rules.current().targets.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(({ name, target, source }) => ({
        name, type: target.type, description: target.description ?? null, address: addressOf(target),
        watts: target.watts ?? null, dependsOn: target.depends_on ?? [], self: target.self ?? false,
        secretRef: secretRefOf(target), file: source.file,
      }));
    response.json({ items });
  });
}
