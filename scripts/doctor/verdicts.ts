/**
 * `make doctor`'s verdicts: pure functions from what was observed (versions, listeners, lookups) to a line of
 * the report. The probes that observe live in `probes.ts`; nothing here does I/O.
 *
 * The main job is `make services-up producer`: start the local services, then stream Coinbase into Kafka. A
 * check that finds something missing without which that job cannot run "blocks" it, and `make doctor` exits
 * 1. What `make services-up` installs by itself (as root, with apt-get) or starts by itself is a warning.
 */

export type Verdict = 'ok' | 'warning' | 'missing';

export interface CheckResult {
  readonly name: string;
  readonly verdict: Verdict;
  readonly detail: string;
  /** The exact command or step that fixes it; present on every warning and missing verdict. */
  readonly fix?: string;
  /** True when the main job cannot run while this is missing. */
  readonly blocksMainJob: boolean;
}

/** Who is running the check: root with apt-get gets the packages installed by `make services-up`. */
export interface Installer {
  readonly rootWithApt: boolean;
}

const ok = (name: string, detail: string): CheckResult => ({ name, verdict: 'ok', detail, blocksMainJob: false });

/** `X.Y.Z` (with or without a leading v) as numbers; missing parts are 0. */
export function parseVersion(text: string): [number, number, number] | null {
  const match = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text);
  if (match === null) return null;
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

function atLeast(version: readonly number[], minimum: readonly number[]): boolean {
  for (let i = 0; i < 3; i++) {
    const a = version[i] ?? 0;
    const b = minimum[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/** Node.js against package.json's `engines.node` (a `>=X.Y[.Z]` range). */
export function nodeVerdict(version: string, engines: string): CheckResult {
  const name = 'Node.js';
  const minimum = /^>=\s*(\S+)$/.exec(engines.trim())?.[1];
  const have = parseVersion(version);
  const want = minimum === undefined ? null : parseVersion(minimum);
  if (have === null || want === null) {
    return { name, verdict: 'warning', detail: `cannot compare ${version} with package.json's engines "${engines}"`, fix: `use Node.js ${engines}`, blocksMainJob: false };
  }
  if (atLeast(have, want)) return ok(name, `${version} (package.json wants ${engines})`);
  return {
    name, verdict: 'missing', detail: `${version} is older than package.json's ${engines}`,
    fix: `install Node.js ${engines} (e.g. from https://nodejs.org or NodeSource's apt repository)`, blocksMainJob: true,
  };
}

/** `java -version`'s output (it prints to stderr), or null when there is no java. Kafka 3.9 here needs Java 17. */
export function javaVerdict(output: string | null, installer: Installer): CheckResult {
  const name = 'Java';
  if (output === null) return packageMissing(name, 'no `java` command', 'default-jre-headless', installer);
  const major = parseVersion(/version "([^"]+)"/.exec(output)?.[1] ?? output)?.[0];
  if (major !== undefined && major >= 17) return ok(name, `Java ${major} (Kafka's broker needs 17 or newer)`);
  return {
    name, verdict: 'missing', detail: `Java ${major ?? '?'} is older than 17, which Kafka's broker needs here`,
    fix: 'install Java 17 or newer: sudo apt-get install -y --no-install-recommends openjdk-17-jre-headless', blocksMainJob: true,
  };
}

/**
 * A Debian package `make services-up` needs. As root with apt-get it installs it itself (a warning);
 * otherwise it stops there (missing), and the fix is the one apt-get line.
 */
export function packageMissing(name: string, detail: string, debianPackage: string, installer: Installer): CheckResult {
  if (installer.rootWithApt) {
    return { name, verdict: 'warning', detail: `${detail}; \`make services-up\` installs it (you are root)`, fix: `make services-up (or: apt-get install -y --no-install-recommends ${debianPackage})`, blocksMainJob: false };
  }
  return { name, verdict: 'missing', detail, fix: `sudo apt-get install -y --no-install-recommends ${debianPackage}`, blocksMainJob: true };
}

/** Maven fetches Kafka's jars once; once they are cached it is no longer needed. */
export function mavenVerdict(version: string | null, jarsCached: boolean, installer: Installer): CheckResult {
  if (version !== null) return ok('Maven', version);
  if (jarsCached) return { name: 'Maven', verdict: 'warning', detail: 'no `mvn` command; not needed now: Kafka\'s jars are already in .services/cache', fix: 'sudo apt-get install -y --no-install-recommends maven (only to fetch the jars again)', blocksMainJob: false };
  return packageMissing('Maven', 'no `mvn` command (it fetches Kafka\'s jars from Maven Central once)', 'maven', installer);
}

/** What the PostgreSQL server says about TimescaleDB, when one is reachable. */
export interface TimescaleOnServer {
  readonly serverVersion: string;
  /** The version of the extension created in the database, or null. */
  readonly created: string | null;
  /** The version the server could create, or null when it is not installed there. */
  readonly available: string | null;
  /** Whether the loader is in shared_preload_libraries (its `timescaledb.disable_load` setting is defined). */
  readonly preloaded: boolean;
}

/**
 * TimescaleDB: optional (plain PostgreSQL tables answer every query), so never more than a warning. The
 * server's answer wins over the files on disk.
 */
export function timescaleVerdict(installedOnDisk: readonly string[], server: TimescaleOnServer | null, postgresqlConf: string): CheckResult {
  const name = 'TimescaleDB';
  const install = 'install timescaledb-2-postgresql-<major> from TimescaleDB\'s apt repository (https://docs.timescale.com/self-hosted/latest/install/installation-linux/)';
  const preload = `add shared_preload_libraries = 'timescaledb' to ${postgresqlConf}, restart PostgreSQL (make services-down services-up), then migrate a new DATABASE_SCHEMA (existing plain tables are not converted)`;
  if (server !== null) {
    if (server.created !== null) return ok(name, `TimescaleDB ${server.created} in use (PostgreSQL ${server.serverVersion})`);
    if (server.available === null) {
      return { name, verdict: 'warning', detail: `not installed on the server (PostgreSQL ${server.serverVersion}): the migrations create plain tables, which answer every query`, fix: install, blocksMainJob: false };
    }
    if (!server.preloaded) {
      return { name, verdict: 'warning', detail: `TimescaleDB ${server.available} is installed but not in shared_preload_libraries: the migrations create plain tables`, fix: preload, blocksMainJob: false };
    }
    return ok(name, `TimescaleDB ${server.available} installed and preloaded: \`make migrate\` creates hypertables`);
  }
  if (installedOnDisk.length === 0) {
    return { name, verdict: 'warning', detail: 'not installed: the migrations create plain PostgreSQL tables, which answer every query', fix: install, blocksMainJob: false };
  }
  return { name, verdict: 'warning', detail: `installed for PostgreSQL ${installedOnDisk.join(', ')}; whether it is preloaded is known once PostgreSQL runs`, fix: 'make services-up, then make doctor again', blocksMainJob: false };
}

/** A listening socket, as `ss -ltnp` shows it. */
export interface Listener {
  readonly port: number;
  readonly process: { readonly name: string; readonly pid: number } | null;
}

/** Parses `ss -Hltnp` (or `ss -ltnp`, its header skipped): local port and, when ss may name it, the process. */
export function parseListeners(ssOutput: string): Listener[] {
  const listeners: Listener[] = [];
  for (const line of ssOutput.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] !== 'LISTEN') continue;
    const port = Number(/:(\d+)$/.exec(fields[3] ?? '')?.[1]);
    if (!Number.isInteger(port)) continue;
    const users = /users:\(\("([^"]*)",pid=(\d+)/.exec(line);
    listeners.push({ port, process: users === null ? null : { name: users[1] ?? '', pid: Number(users[2]) } });
  }
  return listeners;
}

/** A port one of the local services (or the producer) listens on, and how to move it. */
export interface PortSpec {
  readonly service: string;
  readonly port: number;
  /** The variable that chooses another port (`SERVICES_KAFKA_PORT=… make services-up`). */
  readonly variable: string;
  readonly command: string;
  /** Whether a busy port stops the main job (a service port) or only one program (a warning). */
  readonly blocksMainJob: boolean;
}

/**
 * A port is fine when free, or when the service run from this checkout holds it (`ours` tells its process
 * from the others: the same service of another checkout, or anything else); held by anything else, it names
 * the holder and how to choose another port.
 */
export function portVerdict(spec: PortSpec, holder: Listener | undefined, ours: (pid: number) => boolean): CheckResult {
  const name = `port ${spec.port}`;
  if (holder === undefined) return ok(name, `free, for ${spec.service}`);
  const process = holder.process;
  if (process !== null && ours(process.pid)) return ok(name, `in use by ${spec.service} from this checkout (${process.name}, pid ${process.pid})`);
  const who = process === null ? 'a program ss cannot name (run make doctor as root to see which)' : `${process.name} (pid ${process.pid})`;
  const compose = process?.name === 'docker-proxy' ? ' (a Docker container: the docker-compose stack? `make down` stops it)' : '';
  return {
    name, verdict: spec.blocksMainJob ? 'missing' : 'warning', detail: `${spec.service} needs it, but ${who} holds it${compose}`,
    fix: `stop that program, or choose another port: ${spec.variable}=<free port> ${spec.command}`, blocksMainJob: spec.blocksMainJob,
  };
}

/** How far a connection to Coinbase got. */
export type CoinbaseProbe =
  | { readonly reached: 'websocket' }
  | { readonly reached: 'none'; readonly failedAt: 'dns' | 'tls' | 'websocket'; readonly reason: string };

export const COINBASE_UNREACHABLE_FIX = 'check the network, proxy or firewall (outbound TLS on port 443); to see the whole pipeline offline, run `make demo`';

/** Coinbase over DNS, TLS and WebSocket: `make producer` streams from it, so unreachable blocks the main job. */
export function coinbaseVerdict(url: string, probe: CoinbaseProbe): CheckResult {
  const name = 'Coinbase';
  if (probe.reached === 'websocket') return ok(name, `${url}: DNS, TLS and WebSocket handshake ok`);
  const host = new URL(url).host;
  const step = { dns: `DNS lookup of ${new URL(url).hostname} failed`, tls: `TLS connection to ${host} failed`, websocket: 'WebSocket handshake failed' }[probe.failedAt];
  return { name, verdict: 'missing', detail: `unreachable: ${step} (${probe.reason}); \`make producer\` needs it`, fix: COINBASE_UNREACHABLE_FIX, blocksMainJob: true };
}

/** The topics present in Kafka, or the reason Kafka did not answer. */
export type TopicsProbe = { readonly topics: readonly string[] } | { readonly error: string };

/** Missing topics are created by `make producer` itself (through `make topics`): a warning. */
export function topicsVerdict(brokers: string, expected: readonly string[], probe: TopicsProbe): CheckResult {
  const name = 'Kafka topics';
  if ('error' in probe) {
    return { name, verdict: 'warning', detail: `Kafka at ${brokers} does not answer (${probe.error})`, fix: 'make services-up (or set KAFKA_BROKERS to your broker)', blocksMainJob: false };
  }
  const missing = expected.filter((t) => !probe.topics.includes(t));
  if (missing.length === 0) return ok(name, `all ${expected.length} present on ${brokers}`);
  return { name, verdict: 'warning', detail: `${missing.length} of ${expected.length} missing on ${brokers}: ${missing.join(', ')}`, fix: 'make topics (make producer and make engine run it first)', blocksMainJob: false };
}

/** The migrations recorded in schema_migrations, or why they could not be read. */
export type MigrationsProbe = { readonly applied: readonly string[] } | { readonly error: string };

/** Pending migrations are applied by `make engine` itself (through `make migrate`): a warning. */
export function migrationsVerdict(schema: string, expected: readonly string[], probe: MigrationsProbe): CheckResult {
  const name = 'migrations';
  if ('error' in probe) {
    return { name, verdict: 'warning', detail: `cannot read ${schema}.schema_migrations (${probe.error})`, fix: 'make services-up (or set MIGRATION_DATABASE_URL), then make migrate', blocksMainJob: false };
  }
  const pending = expected.filter((v) => !probe.applied.includes(v));
  if (pending.length === 0) return ok(name, `all ${expected.length} applied in schema ${schema}`);
  return { name, verdict: 'warning', detail: `${pending.length} of ${expected.length} not applied in schema ${schema}: ${pending.join(', ')}`, fix: 'make migrate (make engine runs it first)', blocksMainJob: false };
}

/**
 * A check of what a local service holds (Kafka's topics, PostgreSQL's migrations) when its port verdict found
 * the port held by a program that is not this checkout's service: what answers there is another instance's
 * (another checkout's Kafka, say), so its answer says nothing about this checkout and is not reported.
 */
export function notOursVerdict(name: string, service: string, port: CheckResult): CheckResult {
  return {
    name, verdict: 'warning', detail: `not checked: ${port.name} is not held by this checkout's ${service} (${port.detail}); what answers there is another instance's`,
    fix: `free ${port.name} or choose another port (see ${port.name} above), then make doctor again`, blocksMainJob: false,
  };
}

/** The report: one line per check, its fix under it, and the summary; the exit status is 1 when blocked. */
export function formatReport(results: readonly CheckResult[]): { text: string; exitCode: 0 | 1 } {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.flatMap((r) => [
    `${r.verdict.padEnd(8)} ${r.name.padEnd(width)}  ${r.detail}`,
    ...(r.fix === undefined ? [] : [`${' '.repeat(9 + width)}  fix: ${r.fix}`]),
  ]);
  const blocking = results.filter((r) => r.blocksMainJob && r.verdict === 'missing');
  const summary = blocking.length === 0
    ? 'The main job (make services-up producer) can run.'
    : `The main job (make services-up producer) cannot run: fix ${blocking.map((r) => r.name).join(', ')} (marked missing above).`;
  return { text: [...lines, '', summary].join('\n'), exitCode: blocking.length === 0 ? 0 : 1 };
}
