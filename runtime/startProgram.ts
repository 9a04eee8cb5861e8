import type { Logger } from 'pino';
import { ConfigError } from '../config/ConfigError.js';
import { loadProgramConfig, type ProgramConfig } from '../config/loadProgramConfig.js';
import type { ProgramName } from '../config/programs.js';
import { redactConfig } from '../config/redactConfig.js';

/** After the cleanups, how long the event loop may take to drain before the process exits anyway. */
const EXIT_GRACE_MS = 1000;
import { createLogger } from '../logging/createLogger.js';

/** Exit status for bad configuration (sysexits.h `EX_CONFIG`). */
export const EXIT_CONFIG = 78;

/**
 * Registers how to release a resource; cleanups run in reverse order of registration. Once the program is
 * stopping, it releases the resource at once and throws {@link StoppedWhileStarting}, which ends the start.
 */
export type OnStop = (cleanup: () => Promise<void>) => void;

/** Thrown by {@link OnStop} when a signal came while the program was starting: nothing more may start. */
export class StoppedWhileStarting extends Error {
  constructor() {
    super('stopped while starting');
    this.name = 'StoppedWhileStarting';
  }
}

/**
 * Thrown by a program's start to refuse it for a reason its message explains to the operator (e.g. settings
 * that conflict with running engines): logged as the fatal line, without a stack, and the program exits with
 * `exitCode` once its cleanups have run.
 */
export class StartRefused extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number) {
    super(message);
    this.name = 'StartRefused';
    this.exitCode = exitCode;
  }
}

/**
 * Loads a program's configuration when validating it takes more than each variable's own schema (e.g.
 * resolving its strategies): returns the configuration and what the checks produced (`checked`, given to
 * `run`), or throws a ConfigError naming every problem, reported like those of the variables.
 */
export type ConfigLoader<P extends ProgramName, X> =
  (env: Readonly<Record<string, string | undefined>>) => Promise<{ config: ProgramConfig<P>; checked: X }>;

/**
 * The common start of every program: configuration from the environment, by `load` when given (bad
 * configuration prints every bad variable and exits with {@link EXIT_CONFIG}), a JSON logger, the configuration logged without secrets, and
 * signal handling. `run` registers a cleanup for each resource as soon as it holds it (a registration after a
 * signal ends the start, see {@link OnStop}); on SIGTERM or SIGINT,
 * on a failed or refused start ({@link StartRefused}), or on an unhandled rejection, every registered cleanup runs once, last first, each even
 * if an earlier one failed, and the process then ends on its own (no `process.exit`). A second signal ends
 * the process at once.
 */
export async function startProgram<P extends ProgramName, X = undefined>(
  program: P,
  run: (config: ProgramConfig<P>, logger: Logger, onStop: OnStop, checked: NoInfer<X>) => Promise<void>,
  load?: ConfigLoader<P, X>,
): Promise<void> {
  let config: ProgramConfig<P>;
  let checked: X;
  try {
    if (load === undefined) {
      config = loadProgramConfig(program, process.env);
      checked = undefined as X;
    } else {
      ({ config, checked } = await load(process.env));
    }
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
      // Every resource is released: a library timer still pending (kafkajs retrying a request made during a
      // broker outage) must not keep the stopped program alive. Unref'd: fires only if something does.
      setTimeout(() => { process.exit(); }, EXIT_GRACE_MS).unref();
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
        // Stopped while starting: release what was just acquired too, and start nothing more (the throw ends `run`).
        void cleanup().catch((error: unknown) => { logger.error({ err: error }, 'error while stopping'); });
        throw new StoppedWhileStarting();
      }
      cleanups.push(cleanup);
    }, checked);
  } catch (error) {
    if (error instanceof StartRefused) {
      logger.fatal(error.message);
      await stop('start refused', error.exitCode);
      return;
    }
    if (!isStopping()) logger.fatal({ err: error }, `${program} failed to start`);
    await stop('start-up failure', 1);
  }
}
