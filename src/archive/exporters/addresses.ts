/**
 * Where a target lives, as inventories want it: a bare host name or IP
 * address (no port, no brackets), never anything read from a secret.
 */
import { isIP } from 'node:net';
import type { Target } from '../../policy/spec';

/** `[v6]:port`, `host:port`, a bare IPv6 address or a bare host → the host alone. */
export function bareHost(host: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1]!;
  if (isIP(host) !== 0) return host;
  const withPort = /^([^:]+):\d+$/.exec(host);
  return withPort ? withPort[1]! : host;
}

/** The host a target is reached at; undefined for wol (a broadcast address) and ups (a upsd server, not the load). */
export function targetHost(target: Target): string | undefined {
  switch (target.type) {
    case 'ssh':
    case 'tapo':
    case 'shelly':
      return bareHost(target.host);
    case 'proxmox':
      return bareHost(new URL(target.url).hostname);
    case 'wol':
    case 'ups':
      return undefined;
  }
}

/** `host:port`, with IPv6 addresses bracketed as URLs and Prometheus want them. */
export function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Targets sorted by name: the same rules give the same file, so diffs stay small. */
export function sortedTargets<T extends { name: string }>(targets: Iterable<T>): T[] {
  return [...targets].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
