import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerAvailable } from '../services/dockerAvailable.js';
import { servicesScript } from '../services/localServices.js';

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => { resolve(false); });
    server.listen(port, '127.0.0.1', () => server.close(() => { resolve(true); }));
  });
}

/** A port whose successor is free too (the broker's controller listens there). */
export async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000) * 2;
    if ((await portFree(port)) && (await portFree(port + 1))) return port;
  }
  throw new Error('no free port pair found for a dedicated Kafka broker');
}

/**
 * A Kafka broker of the test's own, which it may stop and start again (data kept) to prove recovery from a
 * broker outage: a real broker process from the project's local-services script when Java and Maven are
 * here (stop and restart); else a container, frozen and thawed (a container restart could move its port).
 */
export class DedicatedKafka {
  readonly brokers: readonly string[];
  readonly #stop: () => Promise<void>;
  readonly #start: () => Promise<void>;
  readonly #destroy: () => Promise<void>;

  private constructor(brokers: string[], stop: () => Promise<void>, start: () => Promise<void>, destroy: () => Promise<void>) {
    this.brokers = brokers;
    this.#stop = stop;
    this.#start = start;
    this.#destroy = destroy;
  }

  static async start(): Promise<DedicatedKafka> {
    const port = await freePortPair();
    if (hasCommand('java') && hasCommand('mvn')) {
      const dir = mkdtempSync(join(tmpdir(), 'dedicated-kafka-'));
      const up = async () => { await servicesScript('kafka-up', '--dir', dir, '--port', String(port)); };
      const down = async () => { await servicesScript('kafka-down', '--dir', dir); };
      await up();
      return new DedicatedKafka([`127.0.0.1:${port}`], down, up, async () => {
        await down();
        rmSync(dir, { recursive: true, force: true });
      });
    }
    if (await dockerAvailable()) {
      const { KafkaContainer } = await import('@testcontainers/kafka');
      const container = await new KafkaContainer('confluentinc/cp-kafka:7.9.1').withKraft()
        .withExposedPorts({ container: 9093, host: port }).start();
      return new DedicatedKafka(
        [`${container.getHost()}:${port}`],
        async () => { await container.exec(['sh', '-c', 'kill -STOP 1']); },
        async () => { await container.exec(['sh', '-c', 'kill -CONT 1']); },
        async () => { await container.stop(); },
      );
    }
    throw new Error('A dedicated Kafka broker needs Java 17 and Maven (or a Docker daemon); neither is available.');
  }

  /** Stops the broker; its data stays. */
  stop(): Promise<void> {
    return this.#stop();
  }

  /** Starts the stopped broker again on the same port, with its data. */
  restart(): Promise<void> {
    return this.#start();
  }

  /** Stops the broker and deletes its data. */
  destroy(): Promise<void> {
    return this.#destroy();
  }
}
