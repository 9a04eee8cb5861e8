import type { Logger } from 'pino';
import { ConfigError } from '../config/ConfigError.js';
import { loadProgramConfig, type ProgramConfig } from '../config/loadProgramConfig.js';
import type { ProgramName } from '../config/programs.js';
import { redactConfig } from '../config/redactConfig.js';
import { createLogger } from '../logging/createLogger.js';

/** Exit status for bad configuration (sysexits.h `EX_CONFIG`). */
export const EXIT_CONFIG = 78;

/**
 * The common start of every program: configuration from the environment (bad configuration prints every bad
 * variable and exits with {@link EXIT_CONFIG}), a JSON logger, the configuration logged without secrets, and
 * the process-level failure handlers. `run` receives the config and logger and returns its shutdown, which
 * runs once on SIGTERM or SIGINT.
 */
export async function startProgram<P extends ProgramName>(
  program: P,
  run: (config: ProgramConfig<P>, logger: Logger) => Promise<() => Promise<void>>,
): Promise<void> {
  let config: ProgramConfig<P>;
  try {
    config = loadProgramConfig(program, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${program}: ${error.message}\n`);
    process.exitCode = EXIT_CONFIG;
    return;
  }
  const level = 'LOG_LEVEL' in config ? String(config.LOG_LEVEL) : 'info';
  const logger = createLogger(program, level);
  logger.info({ config: redactConfig(config) }, `${program} starting`);

  let shutdown: (() => Promise<void>) | null = null;
  let stopping = false;
  const stop = async (why: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ why }, `${program} stopping`);
    try {
      await shutdown?.();
      logger.info(`${program} stopped`);
    } catch (error) {
      logger.error({ err: error }, 'error while stopping');
      exitCode = exitCode || 1;
    }
    process.exitCode = exitCode;
  };
  process.once('SIGTERM', () => void stop('SIGTERM', 0));
  process.once('SIGINT', () => void stop('SIGINT', 0));
  process.on('unhandledRejection', (error) => {
    logger.fatal({ err: error }, 'unhandled rejection');
    void stop('unhandled rejection', 1);
  });
  try {
    shutdown = await run(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, `${program} failed to start`);
    await stop('start-up failure', 1);
  }
}
