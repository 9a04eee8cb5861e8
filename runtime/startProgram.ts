import type { Logger } from 'pino';
import { ConfigError } from '../config/ConfigError.js';
import { loadProgramConfig, type ProgramConfig } from '../config/loadProgramConfig.js';
import type { ProgramName } from '../config/programs.js';
import { redactConfig } from '../config/redactConfig.js';
import { createLogger } from '../logging/createLogger.js';

/** Exit status for bad configuration (sysexits.h `EX_CONFIG`). */
export const EXIT_CONFIG = 78;

/** Registers how to release a resource; cleanups run in reverse order of registration. */
export type OnStop = (cleanup: () => Promise<void>) => void;

/**
 * The common start of every program: configuration from the environment (bad configuration prints every bad
 * variable and exits with {@link EXIT_CONFIG}), a JSON logger, the configuration logged without secrets, and
 * signal handling. `run` registers a cleanup for each resource as soon as it holds it; on SIGTERM or SIGINT,
 * on a failed start, or on an unhandled rejection, every registered cleanup runs once, last first, each even
 * if an earlier one failed, and the process then ends on its own (no `process.exit`). A second signal ends
 * the process at once.
 */
export async function startProgram<P extends ProgramName>(
  program: P,
  run: (config: ProgramConfig<P>, logger: Logger, onStop: OnStop) => Promise<void>,
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
  const logger = createLogger(program, 'LOG_LEVEL' in config ? String(config.LOG_LEVEL) : 'info');
  logger.info({ config: redactConfig(config) }, `${program} starting`);

  const cleanups: (() => Promise<void>)[] = [];
  let stopping: Promise<void> | null = null;
  // A call, not a read: `stopping` changes inside callbacks, which narrowing cannot see.
  const isStopping = () => stopping !== null;
  const stop = (why: string, exitCode: number): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ why }, `${program} stopping`);
      let failed = false;
      for (const cleanup of cleanups.splice(0).reverse()) {
        try {
          await cleanup();
        } catch (error) {
          failed = true;
          logger.error({ err: error }, 'error while stopping');
        }
      }
      process.exitCode = exitCode !== 0 ? exitCode : failed ? 1 : 0;
      logger.info(`${program} stopped`);
    })();
    return stopping;
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void stop(signal, 0);
      process.once(signal, () => {
        logger.warn(`second ${signal}: exiting without finishing the shutdown`);
        process.exit(130);
      });
    });
  }
  process.on('unhandledRejection', (error) => {
    logger.fatal({ err: error }, 'unhandled rejection');
    void stop('unhandled rejection', 1);
  });
  try {
    await run(config, logger, (cleanup) => {
      if (isStopping()) {
        // Stopped while starting: release what was just acquired too.
        void cleanup().catch((error: unknown) => { logger.error({ err: error }, 'error while stopping'); });
        return;
      }
      cleanups.push(cleanup);
    });
  } catch (error) {
    if (!isStopping()) logger.fatal({ err: error }, `${program} failed to start`);
    await stop('start-up failure', 1);
  }
}
