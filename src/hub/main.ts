#!/usr/bin/env node
import { loadSettings, type WalnutSettings } from '../../settings';
import { WalnutError } from '../errors';
import { createLogger } from '../logger';
import { Hub } from './hub';

/**
 * `npm start`: settings from the environment, the hub up, one "ready" line,
 * and a graceful stop on SIGTERM/SIGINT (a second signal forces the exit).
 */
async function main(): Promise<void> {
  let settings: WalnutSettings;
  try {
    settings = loadSettings();
  } catch (error) {
    process.stderr.write(`walnut: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const logger = createLogger(settings.logLevel);
  let exitCode = 0;
  const hub = new Hub(settings, logger, (error) => {
    logger.fatal({ err: error }, error.message);
    exitCode = 1;
    shutdown('SIGTERM');
  });

  let signalled = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (signalled) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, 'stopping');
    hub.stop().then(
      () => {
        logger.info('stopped');
        process.exit(exitCode);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  try {
    const addresses = await hub.start();
    logger.info(addresses, 'walNUT hub ready');
    process.stdout.write(`walNUT hub ready: editor ${addresses.http} mqtt ${addresses.mqtt} database ${addresses.dbPath} nut ${addresses.nut.join(',')}\n`);
  } catch (error) {
    const message = error instanceof WalnutError ? error.message : ((error as Error).stack ?? String(error));
    process.stderr.write(`walnut: cannot start: ${message}\n`);
    await hub.stop();
    process.exit(1);
  }
}

void main();
