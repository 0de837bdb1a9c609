import { handlerError, parameterError } from './api-error';
import { checkNodeName, checkVmidList, parseVmidList } from './params';
import type { Route, SimCore } from './router';
import { parseUpid } from './upid';
import { taskStatus } from './views';

const NODE = { type: 'string', check: checkNodeName } as const;
const VMS = { type: 'string', check: checkVmidList, optional: true } as const;

function checkUpid(value: string): string | undefined {
  return parseUpid(value) === undefined ? `unable to parse worker upid '${value}'` : undefined;
}

/** Node power, bulk stop/start and task status. */
export function nodeRoutes(core: SimCore): Route[] {
  const { world, power, tasks } = core;
  return [
    {
      method: 'POST',
      path: '/nodes/{node}/status',
      schema: { node: NODE, command: { type: 'enum', values: ['reboot', 'shutdown'] } },
      permission: ({ node }) => ({ path: `/nodes/${node ?? ''}`, privilege: 'Sys.PowerMgmt' }),
      handler: ({ params }) => {
        const command = params.required('command');
        if (command !== 'reboot' && command !== 'shutdown') throw parameterError({ command: 'unknown command' });
        power.nodeCommand(world.reachableNode(params.required('node')), command);
        return null;
      },
    },
    {
      method: 'POST',
      path: '/nodes/{node}/stopall',
      schema: { node: NODE, vms: VMS, 'force-stop': { type: 'boolean', optional: true }, timeout: { type: 'integer', minimum: 0, maximum: 7200, optional: true } },
      permission: () => ({ path: '/', privilege: 'VM.PowerMgmt' }),
      handler: ({ params, principal }) =>
        power.stopAll(world.reachableNode(params.required('node')), principal, parseVmidList(params.str('vms')), {
          timeoutS: params.int('timeout', 180),
          forceStop: params.bool('force-stop', true),
        }),
    },
    {
      method: 'POST',
      path: '/nodes/{node}/startall',
      schema: { node: NODE, vms: VMS, force: { type: 'boolean', optional: true } },
      permission: () => ({ path: '/', privilege: 'VM.PowerMgmt' }),
      handler: ({ params, principal }) => power.startAll(world.reachableNode(params.required('node')), principal, parseVmidList(params.str('vms'))),
    },
    {
      method: 'GET',
      path: '/nodes/{node}/tasks/{upid}/status',
      schema: { node: NODE, upid: { type: 'string', check: checkUpid } },
      handler: ({ params }) => {
        const task = tasks.find(params.required('upid'));
        if (task === undefined || task.node !== params.required('node')) throw handlerError('no such task');
        return taskStatus(task);
      },
    },
  ];
}
