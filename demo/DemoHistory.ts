import { join } from 'node:path';
import { SAMPLE } from '../backfill/samples/makeSampleCsv.js';
import { DemoChild } from './DemoChild.js';

/**
 * The backtest the demo runs on the bundled sample (synthetic BTC-USD trades, 2 h): 1-minute bars, no allowed
 * lateness (history is in order, so each bar decides at its end and fills at the next trade), and parameters
 * that cross a few times over the sample's 112 traded minutes (sma_cross 5/20: 6 signals, 3 round trips).
 */
export const DEMO_BACKTEST = {
  intervals: '1m',
  strategy: 'sma_cross',
  params: { fast: 5, slow: 20 },
  grid: 'fast=3|5,slow=10|20|30',
} as const;

/** One program the history part runs, in order; a step that fails skips the ones after it. */
export interface DemoHistoryStep {
  /** Also the log's name: `.demo/<namespace>/history-<name>.log`. */
  readonly name: 'backfill' | 'replay' | 'sweep';
  readonly script: string;
  readonly args: readonly string[];
  /** The heading printed above the program's results. */
  readonly heading: string;
}

/**
 * The history part's programs: the backfill imports the sample into the namespace's `prices.history` through
 * its `--file` import, then one replay and one sweep read it with `--topic history` (each a `strategy_runs` row,
 * the sweep one per combination and one for itself, so Grafana's run selector lists them).
 */
export function demoHistorySteps(namespace: string): DemoHistoryStep[] {
  const topic = `${namespace}.prices.history`;
  const params = JSON.stringify(DEMO_BACKTEST.params);
  return [
    {
      name: 'backfill', script: 'backfill/main.js', args: ['--file', SAMPLE.path],
      heading: `sample history: ${SAMPLE.path} (synthetic ${SAMPLE.productId} trades, not market data) imported into ${topic}`,
    },
    {
      name: 'replay', script: 'replay/main.js',
      args: ['--topic', 'history', '--strategy', DEMO_BACKTEST.strategy, '--params', params, '--label', `demo ${namespace} history replay`],
      heading: `backtest: ${DEMO_BACKTEST.strategy} ${params} on ${DEMO_BACKTEST.intervals} bars over ${topic}`,
    },
    {
      name: 'sweep', script: 'replay/main.js',
      args: ['--topic', 'history', '--strategy', DEMO_BACKTEST.strategy, '--grid', DEMO_BACKTEST.grid, '--label', `demo ${namespace} history sweep`],
      heading: `sweep: ${DEMO_BACKTEST.strategy} --grid ${DEMO_BACKTEST.grid} on ${DEMO_BACKTEST.intervals} bars over ${topic}, ranked by sharpe`,
    },
  ];
}

export interface DemoHistoryOptions {
  readonly namespace: string;
  readonly root: string;
  readonly logDir: string;
  /** The programs' environment: Kafka with the namespace's prefix, the database with its schema. */
  readonly env: Readonly<Record<string, string>>;
  readonly say: (text: string) => void;
  readonly warn: (text: string) => void;
  /** Called with each program as it starts, so that a second Ctrl-C can kill it with the others. */
  readonly started: (child: DemoChild) => void;
}

/**
 * The demo's history part, beside the live pipeline: runs {@link demoHistorySteps} one after the other as child
 * processes and prints each one's results under a heading. A failure is printed with the program's last lines
 * and ends only this part; it never throws, so the live demo goes on.
 */
export class DemoHistory {
  /** Each program's exit status, in order; a program that did not run is absent. */
  readonly statuses: Partial<Record<DemoHistoryStep['name'], number>> = {};
  /** A program failed (or could not start) on its own, not because the demo stopped it. */
  failed = false;
  readonly done: Promise<void>;
  readonly #options: DemoHistoryOptions;
  #current: DemoChild | null = null;
  #stopping = false;
  #finished = false;

  constructor(options: DemoHistoryOptions) {
    this.#options = options;
    this.done = this.#run().catch((error: unknown) => {
      this.failed = true;
      options.warn(`history: could not run (${error instanceof Error ? error.message : String(error)}); the live demo goes on`);
    }).finally(() => { this.#finished = true; });
  }

  get running(): boolean {
    return !this.#finished;
  }

  /** Asks the running program to stop (a replay marks its run `interrupted`), skips the rest, and waits. */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    await this.#current?.stop(graceMs);
    await this.done;
  }

  /** A method, not the field: the answer changes while a program runs. */
  #stopRequested(): boolean {
    return this.#stopping;
  }

  async #run(): Promise<void> {
    const { namespace, root, logDir, env, say, warn, started } = this.#options;
    for (const step of demoHistorySteps(namespace)) {
      if (this.#stopRequested()) return;
      const log = join(logDir, `history-${step.name}.log`);
      const child = new DemoChild(step.name, join(root, 'dist', step.script), step.args, { ...env }, log, root);
      this.#current = child;
      started(child);
      const status = await child.exited;
      this.#current = null;
      this.statuses[step.name] = status;
      const output = child.tail.filter((line) => !line.startsWith('{'));
      const where = `log .demo/${namespace}/history-${step.name}.log`;
      if (status === 0) {
        say(`history: ${step.heading} (${where}):`);
        for (const line of output) process.stdout.write(`${line}\n`);
        continue;
      }
      if (this.#stopRequested()) {
        say(`history: the ${step.name} was stopped with the demo (exit ${status})`);
        return;
      }
      this.failed = true;
      warn(`history: the ${step.name} failed (exit ${status}, ${where}); the rest of the history part is skipped, the live demo goes on:`);
      for (const line of output.slice(-15)) process.stderr.write(`${line}\n`);
      return;
    }
  }
}
