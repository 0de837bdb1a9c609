import type { NodeStatus } from 'node-red';
import type { UpsSnapshot } from '../../src/nut/snapshot';

/** The node badge for a UPS reading: green on mains, yellow on battery, red when critical or silent. */
export function upsStatus(snapshot: UpsSnapshot): NodeStatus {
  if (snapshot.comm !== 'ok') return { fill: 'red', shape: 'ring', text: `${snapshot.ups}: no data (${snapshot.comm})` };
  const charge = snapshot.batteryCharge === undefined ? '' : ` ${snapshot.batteryCharge}%`;
  const text = `${snapshot.ups}: ${snapshot.status}${charge}`;
  if (snapshot.flags.includes('FSD') || (snapshot.flags.includes('OB') && snapshot.flags.includes('LB'))) return { fill: 'red', shape: 'dot', text };
  if (snapshot.flags.includes('OB')) return { fill: 'yellow', shape: 'dot', text };
  return { fill: 'green', shape: 'dot', text };
}
