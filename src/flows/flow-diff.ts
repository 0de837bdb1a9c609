/** What changed between two revisions, node by node: added, removed, and which properties of the others. */
import type { FlowNode } from './flow-store';

export interface FlowDiff {
  added: FlowNode[];
  removed: FlowNode[];
  changed: Array<{ node: FlowNode; properties: string[] }>;
}

export function diffFlows(from: readonly FlowNode[], to: readonly FlowNode[]): FlowDiff {
  const before = new Map(from.map((node) => [node.id, node]));
  const after = new Map(to.map((node) => [node.id, node]));
  const diff: FlowDiff = { added: [], removed: [], changed: [] };
  for (const [id, node] of after) {
    const old = before.get(id);
    if (!old) {
      diff.added.push(node);
      continue;
    }
    const properties = [...new Set([...Object.keys(old), ...Object.keys(node)])]
      .filter((key) => JSON.stringify(old[key]) !== JSON.stringify(node[key])).sort();
    if (properties.length > 0) diff.changed.push({ node, properties });
  }
  for (const [id, node] of before) if (!after.has(id)) diff.removed.push(node);
  return diff;
}

/** A node as a diff line names it: id, type and name. */
export function describeNode(node: FlowNode): string {
  const name = typeof node.name === 'string' && node.name !== '' ? ` "${node.name}"` : typeof node.label === 'string' ? ` "${node.label}"` : '';
  return `${node.id} ${node.type}${name}`;
}

/** Flows as `walnut flows export` writes them: no credentials, even a node that carries some inline. */
export function withoutCredentials(flows: readonly FlowNode[]): FlowNode[] {
  return flows.map(({ credentials: _credentials, ...node }) => node as FlowNode);
}
