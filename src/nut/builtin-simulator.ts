import type { Logger } from '../logger';
import { defaultDemoUps, defaultDemoUsers, NutSimulator } from './simulator';

export interface BuiltInSimulator {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * The simulated UPS a hub watches when no NUT server is configured, so a new
 * install shows a living UPS at once. It is a real upsd-compatible server on
 * loopback (WALNUT_DEMO_NUT_PORT, the same on every start: the default flow names it), reached through the same client as a real one.
 */
export async function startBuiltInSimulator(logger: Logger, port = 0): Promise<BuiltInSimulator> {
  const simulator = new NutSimulator();
  const demo = defaultDemoUps();
  simulator.addUps(demo.name, demo.definition);
  for (const [name, user] of Object.entries(defaultDemoUsers())) simulator.addUser(name, user);
  const address = await simulator.start({ host: '127.0.0.1', port });
  logger.info({ host: address.host, port: address.port, ups: demo.name }, 'no NUT server configured (WALNUT_NUT_SERVERS or a nut-server node): watching the built-in simulated UPS');
  return { host: address.host, port: address.port, stop: () => simulator.stop() };
}
