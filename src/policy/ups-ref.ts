/** `upsname[@host[:port]]` in rules, matched against the `host:port` + name of a reading. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export interface UpsRef {
  name: string;
  host?: string;
  port: number;
}

export function parseUpsRef(ref: string): UpsRef {
  const at = ref.indexOf('@');
  if (at < 0) return { name: ref, port: 3493 };
  const name = ref.slice(0, at);
  const address = ref.slice(at + 1);
  // `[v6]:port`, `host:port`, a bare IPv6 address, or a bare host.
  const bracketed = /^(\[[^\]]+\])(?::(\d+))?$/.exec(address);
  if (bracketed) return { name, host: bracketed[1]!, port: bracketed[2] === undefined ? 3493 : Number(bracketed[2]) };
  const hostPort = /^([^:]+):(\d+)$/.exec(address);
  if (hostPort) return { name, host: hostPort[1]!, port: Number(hostPort[2]) };
  return { name, host: address, port: 3493 };
}

const sameHost = (a: string, b: string): boolean => a === b || (LOOPBACK.has(a) && LOOPBACK.has(b));

/** Does the reading of `ups` on upsd `server` (`host:port`) belong to `ref`? A ref without a host matches any server. */
export function matchesUpsRef(ref: string, server: string, ups: string): boolean {
  const parsed = parseUpsRef(ref);
  if (parsed.name !== ups) return false;
  if (parsed.host === undefined) return true;
  const separator = server.lastIndexOf(':');
  const host = separator < 0 ? server : server.slice(0, separator);
  const port = separator < 0 ? 3493 : Number(server.slice(separator + 1));
  return sameHost(parsed.host, host) && parsed.port === port;
}
