import type { NodeAPI } from 'node-red';
import type { HubServices } from '../../src/hub/services';

/**
 * The hub's services as the hub handed them to Node-RED. Our nodes run only
 * inside a walNUT hub: anywhere else this says so plainly instead of failing later.
 */
export function hubServices(RED: NodeAPI): HubServices {
  const services = (RED.settings as unknown as { walnut?: HubServices }).walnut;
  if (services === undefined) {
    throw new Error('walNUT nodes run only inside a walNUT hub (RED.settings.walnut is missing): start Node-RED with "npm start"');
  }
  return services;
}
