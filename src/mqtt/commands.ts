/**
 * Commands from Home Assistant (or any client the ACL lets publish them): the
 * policy switches, "simulate outage", and a UPS's instant commands. Each one
 * is carried out and leaves an audit row saying who, what and how it went.
 */
import type { Knex } from 'knex';
import type { Logger } from '../logger';
import { setOverride } from '../policy/overrides';
import type { PolicyService } from '../policy/policy-service';
import { recordAudit } from '../store/audit';
import type { Command } from './topics';

export interface UpsCommandRunner {
  runInstantCommand(server: string, ups: string, command: string): Promise<void>;
}

export interface KnownUps {
  server: string;
  ups: string;
  commands: readonly string[];
}

export interface CommandContext {
  knex: Knex;
  siteId: number;
  policies: PolicyService;
  nut: UpsCommandRunner;
  /** The UPS behind a topic key, with the commands upsd listed for it. */
  upsByKey(key: string): KnownUps | undefined;
  logger: Logger;
}

function onOff(payload: string): boolean | undefined {
  const word = payload.trim().toUpperCase();
  return word === 'ON' ? true : word === 'OFF' ? false : undefined;
}

/** Carries out one command; failures are logged and audited, never thrown (a bad message must not stop the hub). */
export async function runCommand(context: CommandContext, command: Command, payload: string, actor: string): Promise<void> {
  const { logger } = context;
  try {
    await carryOut(context, command, payload, actor);
    logger.info({ actor, command, payload }, 'MQTT command carried out');
  } catch (error) {
    logger.error({ err: error, actor, command }, 'MQTT command failed');
  }
}

async function carryOut(context: CommandContext, command: Command, payload: string, actor: string): Promise<void> {
  if (command.kind === 'policy') return policyCommand(context, command, payload, actor);
  return upsCommand(context, command.key, payload.trim(), actor);
}

async function policyCommand(context: CommandContext, command: Extract<Command, { kind: 'policy' }>, payload: string, actor: string): Promise<void> {
  const { knex, siteId } = context;
  if (command.control === 'simulate') {
    const running = await context.policies.toggleSimulation(command.name);
    await recordAudit(knex, { siteId, actor, action: running ? 'policy.simulation.start' : 'policy.simulation.stop', resource: `policy/${command.name}` });
    return;
  }
  const value = onOff(payload);
  if (value === undefined) throw new Error(`expected ON or OFF for ${command.control} of policy ${command.name}`);
  // setOverride writes its own audit row, and only when something changed.
  await setOverride(knex, siteId, command.name, command.control === 'armed' ? { armed: value } : { dryRun: value }, actor);
  await context.policies.flagsChanged(command.name);
}

async function upsCommand(context: CommandContext, key: string, name: string, actor: string): Promise<void> {
  const { knex, siteId } = context;
  const ups = context.upsByKey(key);
  if (!ups) throw new Error(`no UPS is known as ${key}`);
  const resource = `ups/${ups.ups}@${ups.server}`;
  if (!ups.commands.includes(name)) {
    await recordAudit(knex, { siteId, actor, action: 'ups.instcmd.refused', resource, after: { command: name, reason: 'not listed by upsd' } });
    throw new Error(`${resource} does not list the instant command "${name}"`);
  }
  try {
    await context.nut.runInstantCommand(ups.server, ups.ups, name);
  } catch (error) {
    await recordAudit(knex, { siteId, actor, action: 'ups.instcmd.failed', resource, after: { command: name, error: (error as Error).message } });
    throw error;
  }
  await recordAudit(knex, { siteId, actor, action: 'ups.instcmd', resource, after: { command: name } });
}
