import { checkNodeName, type Schema, VMID_RANGE } from './params';
import type { Route, SimCore } from './router';
import { guestListEntry, guestStatus } from './views';
import type { GuestType } from './world';

const NODE: Schema = { node: { type: 'string', check: checkNodeName } };
const GUEST: Schema = { ...NODE, vmid: { type: 'integer', ...VMID_RANGE } };

const OPTIONAL_FLAG = { type: 'boolean', optional: true } as const;
const TIMEOUT = { type: 'integer', minimum: 0, optional: true } as const;

/** The parameters each power call takes besides node and vmid (a subset of PVE's). */
const POWER_SCHEMAS: Record<GuestType, Record<'shutdown' | 'stop' | 'start', Schema>> = {
  qemu: {
    shutdown: { timeout: TIMEOUT, forceStop: OPTIONAL_FLAG, keepActive: OPTIONAL_FLAG, skiplock: OPTIONAL_FLAG },
    stop: { timeout: TIMEOUT, keepActive: OPTIONAL_FLAG, skiplock: OPTIONAL_FLAG, 'overrule-shutdown': OPTIONAL_FLAG, migratedfrom: { type: 'string', optional: true } },
    start: { timeout: TIMEOUT, skiplock: OPTIONAL_FLAG, migratedfrom: { type: 'string', optional: true } },
  },
  lxc: {
    shutdown: { timeout: TIMEOUT, forceStop: OPTIONAL_FLAG },
    stop: { skiplock: OPTIONAL_FLAG, 'overrule-shutdown': OPTIONAL_FLAG },
    start: { skiplock: OPTIONAL_FLAG, debug: OPTIONAL_FLAG },
  },
};

function vmPermission(pathParams: Record<string, string>): { path: string; privilege: string } {
  return { path: `/vms/${pathParams.vmid ?? ''}`, privilege: 'VM.PowerMgmt' };
}

function routesFor(core: SimCore, type: GuestType): Route[] {
  const { world, power } = core;
  const base = `/nodes/{node}/${type}`;
  const schemas = POWER_SCHEMAS[type];
  return [
    {
      method: 'GET',
      path: base,
      schema: NODE,
      handler: ({ params }) => world.guestsOn(params.required('node'), type).map((guest) => guestListEntry(guest, core.now())),
    },
    {
      method: 'GET',
      path: `${base}/{vmid}/status/current`,
      schema: GUEST,
      handler: ({ params }) => guestStatus(world.findGuest(params.required('node'), type, params.int('vmid', 0)), core.now()),
    },
    {
      method: 'POST',
      path: `${base}/{vmid}/status/shutdown`,
      schema: { ...GUEST, ...schemas.shutdown },
      permission: vmPermission,
      handler: ({ params, principal }) => {
        const guest = world.findGuest(params.required('node'), type, params.int('vmid', 0));
        return power.shutdown(guest, principal, { timeoutS: params.int('timeout', 60), forceStop: params.bool('forceStop', false) });
      },
    },
    {
      method: 'POST',
      path: `${base}/{vmid}/status/stop`,
      schema: { ...GUEST, ...schemas.stop },
      permission: vmPermission,
      handler: ({ params, principal }) => power.stop(world.findGuest(params.required('node'), type, params.int('vmid', 0)), principal),
    },
    {
      method: 'POST',
      path: `${base}/{vmid}/status/start`,
      schema: { ...GUEST, ...schemas.start },
      permission: vmPermission,
      handler: ({ params, principal }) => power.start(world.findGuest(params.required('node'), type, params.int('vmid', 0)), principal),
    },
  ];
}

/** Guest listings, status and power calls, for qemu and lxc alike. */
export function guestRoutes(core: SimCore): Route[] {
  return [...routesFor(core, 'qemu'), ...routesFor(core, 'lxc')];
}
