/**
 * A UPS's instant commands (LIST CMD) and running one (INSTCMD), each over a
 * short connection of its own so the poller's timing is never disturbed.
 * Running needs the server's login: upsd.users must grant it `instcmds`.
 */
import { NutAuthError } from '../errors';
import { connectConfigured } from './connect';
import { serverAddress, type NutServerConfig } from './server-config';

export async function listInstantCommands(config: NutServerConfig, ups: string): Promise<string[]> {
  const client = await connectConfigured(config, () => Promise.resolve());
  try {
    return await client.listCmd(ups);
  } finally {
    client.close();
  }
}

export async function runInstantCommand(config: NutServerConfig, ups: string, command: string): Promise<void> {
  const where = `${ups}@${serverAddress(config)}`;
  try {
    const client = await connectConfigured(config, async (connected) => {
      if (config.username === undefined || config.password === undefined) return;
      await connected.username(config.username);
      await connected.password(config.password);
    });
    try {
      await client.instcmd(ups, command);
    } finally {
      client.close();
    }
  } catch (error) {
    if (!(error instanceof NutAuthError)) throw error;
    const login = config.username === undefined ? 'the hub logs in to this server with no username' : `user "${config.username}"`;
    throw new NutAuthError(error.nutCode, `upsd refused INSTCMD ${command} on ${where} (${error.nutCode}): ${login}; ` +
      `give the server a login whose upsd.users entry has \`instcmds = ${command}\` (or ALL)`);
  }
}
