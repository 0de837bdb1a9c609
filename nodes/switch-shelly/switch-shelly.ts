import type { NodeAPI } from 'node-red';
import { registerActionNode } from '../shared/action-node';

export = function register(RED: NodeAPI): void {
  registerActionNode(RED, 'switch-shelly', 'shelly');
};
