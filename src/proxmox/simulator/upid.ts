/** The fields of a task id, as pve-common's PVE::UPID encodes them. */
export interface UpidParts {
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  type: string;
  id: string;
  /** `user@realm`, or `user@realm!tokenid` for a task started by an API token. */
  user: string;
}

const UPID = /^UPID:([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s]+):([^:\s]*):([^:\s]+):$/;

function hex8(value: number): string {
  return value.toString(16).toUpperCase().padStart(8, '0');
}

/** `UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:`, with the trailing colon. */
export function formatUpid(parts: UpidParts): string {
  return `UPID:${parts.node}:${hex8(parts.pid)}:${hex8(parts.pstart)}:${hex8(parts.starttime)}:${parts.type}:${parts.id}:${parts.user}:`;
}

export function parseUpid(text: string): UpidParts | undefined {
  const match = UPID.exec(text);
  if (!match) return undefined;
  const [, node, , pid, pstart, starttime, type, id, user] = match;
  if (node === undefined || pid === undefined || pstart === undefined || starttime === undefined) return undefined;
  if (type === undefined || id === undefined || user === undefined) return undefined;
  return { node, pid: parseInt(pid, 16), pstart: parseInt(pstart, 16), starttime: parseInt(starttime, 16), type, id, user };
}
