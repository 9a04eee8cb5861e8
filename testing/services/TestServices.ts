/** Where the integration tests' services come from, and how to reach them. */
export interface TestServices {
  readonly origin: 'env' | 'testcontainers' | 'local';
  readonly kafkaBrokers: readonly string[];
  /** The engine's connection (the `engine_writer` role where roles exist). */
  readonly databaseUrl: string;
  /** A role that may create schemas and run migrations in them. */
  readonly migrationDatabaseUrl: string;
  /** Grafana's read-only role (`grafana_reader`) where the services have it, else null. */
  readonly readerDatabaseUrl: string | null;
  readonly prometheusUrl: string;
  /**
   * A directory of Prometheus file_sd target files (one JSON file per process the tests want scraped), or
   * null when the tests do not control that Prometheus.
   */
  readonly prometheusTargetsDir: string | null;
}
